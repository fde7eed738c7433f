package dev.nexusrouter.credential.store;

import dev.nexusrouter.common.AtomicFiles;
import dev.nexusrouter.credential.protocol.StoreException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

/**
 * An exclusive advisory lock on a side file around read-modify-write sequences. Keychains have no
 * transactions: two parallel {@code store}s for one server would otherwise each delete the other's
 * fresh item, and java-keyring notes that concurrent Secret Service writes are unsafe
 * (FreedesktopKeyringBackend).
 */
final class FileLocks {
  @FunctionalInterface
  interface Body<T> {
    T run() throws StoreException;
  }

  private FileLocks() {}

  static <T> T withLock(Path lockFile, Body<T> body) throws StoreException {
    try {
      Path dir = lockFile.toAbsolutePath().getParent();
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, AtomicFiles.ownerOnlyDirectory());
      }
      try (FileChannel ch =
              FileChannel.open(
                  lockFile,
                  Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                  AtomicFiles.ownerOnlyFile());
          FileLock lock = ch.lock()) {
        T result = body.run();
        lock.release();
        return result;
      }
    } catch (IOException e) {
      throw new StoreException("cannot lock " + lockFile + ": " + FileStore.describe(e));
    }
  }
}
