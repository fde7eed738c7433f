package dev.nexusrouter.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * Files written whole, with exact modes. A write goes to an owner-only temp file beside the target,
 * is synced, gets its final mode, and is renamed over the target: readers (nginx, a reloader, a
 * crash) see the old file or the new one, never half of one, and a secret is never briefly readable
 * by others. Modes are set explicitly after creation, so the process umask (which only filters the
 * mode given at creation) never loosens or tightens them.
 */
public final class AtomicFiles {
  /** 0600: keys, secrets, the router's own files. */
  public static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  /** 0644: certificates and files other programs read. */
  public static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");

  /** 0700: folders holding the above. */
  public static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  /** 0755: folders other programs read (e.g. containerd's certs.d). */
  public static final Set<PosixFilePermission> PUBLIC_DIR =
      PosixFilePermissions.fromString("rwxr-xr-x");

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  private AtomicFiles() {}

  /** Writes {@code bytes} to {@code target} with mode 0600. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, OWNER_ONLY);
  }

  /** Writes {@code bytes} to {@code target} with exactly {@code mode} (where POSIX modes exist). */
  public static void write(Path target, byte[] bytes, Set<PosixFilePermission> mode)
      throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", ownerOnlyFile());
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      setMode(tmp, mode);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Creates {@code dir} and its missing parents, each new folder with exactly {@code mode}; folders
   * that already exist keep theirs.
   */
  public static Path createDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
    Deque<Path> missing = new ArrayDeque<>();
    for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
      missing.push(p);
    }
    for (Path p : missing) {
      try {
        Files.createDirectory(p, POSIX ? new FileAttribute<?>[] {attr(OWNER_ONLY_DIR)} : none());
        setMode(p, mode);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // created by someone else meanwhile: theirs
      }
    }
    return dir;
  }

  /** Sets exactly {@code mode} on {@code p} where the file system has POSIX modes. */
  public static void setMode(Path p, Set<PosixFilePermission> mode) throws IOException {
    if (POSIX) {
      Files.setPosixFilePermissions(p, mode);
    }
  }

  /** Mode 0600 at creation where the file system has POSIX modes (the umask may only narrow it). */
  public static FileAttribute<?>[] ownerOnlyFile() {
    return POSIX ? new FileAttribute<?>[] {attr(OWNER_ONLY)} : none();
  }

  /** Mode 0700 at creation where the file system has POSIX modes. */
  public static FileAttribute<?>[] ownerOnlyDirectory() {
    return POSIX ? new FileAttribute<?>[] {attr(OWNER_ONLY_DIR)} : none();
  }

  private static FileAttribute<Set<PosixFilePermission>> attr(Set<PosixFilePermission> mode) {
    return PosixFilePermissions.asFileAttribute(mode);
  }

  private static FileAttribute<?>[] none() {
    return new FileAttribute<?>[0];
  }

  /** Makes the rename itself durable; not every platform lets a directory be opened. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // best effort: the data itself was already forced
    }
  }
}
