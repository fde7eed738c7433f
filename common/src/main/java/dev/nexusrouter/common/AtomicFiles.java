package dev.nexusrouter.common;

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
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
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
   * Writes the file a path names, following symbolic links as docker's CLI does: a dotfiles link
   * stays a link and its target gets the new content, replaced atomically in the target's own
   * directory. The target keeps its mode when that is stricter than 0600 and gets 0600 otherwise,
   * so a 0644 file that held secrets does not keep them readable.
   */
  public static void writeThroughLinks(Path path, byte[] bytes) throws IOException {
    Path target = resolveLinks(path.toAbsolutePath());
    Path dir = target.getParent();
    if (!Files.isDirectory(dir)) {
      createDirectories(dir, OWNER_ONLY_DIR);
    }
    Set<PosixFilePermission> mode = EnumSet.copyOf(OWNER_ONLY);
    if (POSIX && Files.exists(target)) {
      mode.retainAll(Files.getPosixFilePermissions(target));
    }
    write(target, bytes, mode);
  }

  /** Follows symbolic links (at most 40, like Linux) to the path that really gets written. */
  public static Path resolveLinks(Path path) throws IOException {
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
