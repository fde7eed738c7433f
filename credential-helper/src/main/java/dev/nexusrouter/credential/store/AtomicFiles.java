package dev.nexusrouter.credential.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replace-by-rename: a reader sees the old file or the new one, never half of one, and a crash
 * leaves at most a stray temp file (owner-only, and only ever holding what the target would hold).
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Writes {@code bytes} to a 0600 temp file beside {@code target}, fsyncs, renames over it. */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, null);
  }

  private static void write(Path target, byte[] bytes, Set<PosixFilePermission> mode)
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
      if (mode != null) {
        Files.setPosixFilePermissions(tmp, mode);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes the file a path names, following symbolic links as docker's CLI does: a dotfiles link
   * stays a link and its target gets the new content, replaced atomically in the target's own
   * directory. The target keeps its mode when that is stricter than 0600 and gets 0600 otherwise,
   * so a 0644 file that held secrets does not keep them readable.
   */
  public static void writeThroughLinks(Path path, byte[] bytes) throws IOException {
    Path target = resolveLinks(path.toAbsolutePath());
    Path dir = target.getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, ownerOnlyDirectory());
    }
    Set<PosixFilePermission> mode = null;
    if (POSIX) {
      mode = PosixFilePermissions.fromString("rw-------");
      if (Files.exists(target)) {
        Set<PosixFilePermission> current = Files.getPosixFilePermissions(target);
        mode.retainAll(current);
      }
    }
    write(target, bytes, mode);
  }

  /** Follows symbolic links (at most 40, like Linux) to the path that really gets written. */
  static Path resolveLinks(Path path) throws IOException {
    Path p = path;
    for (int i = 0; i < 40; i++) {
      if (!Files.isSymbolicLink(p)) {
        Path parent = p.getParent();
        return parent != null && Files.isDirectory(parent)
            ? parent.toRealPath().resolve(p.getFileName())
            : p;
      }
      p = p.getParent().resolve(Files.readSymbolicLink(p)).normalize();
    }
    throw new FileSystemException(path.toString(), null, "too many levels of symbolic links");
  }

  /** A short, secret-free reason for an I/O failure. */
  public static String describe(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
  }

  private static final boolean POSIX =
      FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

  /** Mode 0600 where the file system has POSIX modes; Windows profiles are per-user already. */
  public static FileAttribute<?>[] ownerOnlyFile() {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))
        }
        : new FileAttribute<?>[0];
  }

  /** Mode 0700 where the file system has POSIX modes. */
  public static FileAttribute<?>[] ownerOnlyDirectory() {
    return POSIX
        ? new FileAttribute<?>[] {
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))
        }
        : new FileAttribute<?>[0];
  }

  /** Makes the rename itself durable; not every platform lets a directory be opened. */
  private static void syncDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // Best effort: Windows cannot open directories; the data itself was already forced.
    }
  }
}
