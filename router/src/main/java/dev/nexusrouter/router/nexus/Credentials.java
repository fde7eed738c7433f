package dev.nexusrouter.router.nexus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Base64;

/**
 * A Nexus user and password. Passwords come from files or the environment only, never from the
 * command line (which leaks into shell history and {@code ps}).
 */
record Credentials(String user, String password) {

  String basicAuthorization() {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  Credentials withPassword(String newPassword) {
    return new Credentials(user, newPassword);
  }

  @Override
  public String toString() {
    return "Credentials[user=" + user + ", password=***]";
  }

  /**
   * The first line of a password file, without its line break (admin.password has none, files
   * written with echo have one).
   */
  static String readPasswordFile(Path file, String what) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new NexusException(what + " " + file + " does not exist");
    } catch (IOException e) {
      throw new NexusException(
          "cannot read " + what + " " + file + ": " + e.getClass().getSimpleName());
    }
    int nl = text.indexOf('\n');
    String line = (nl < 0 ? text : text.substring(0, nl)).replace("\r", "");
    if (line.isEmpty()) {
      throw new NexusException(what + " " + file + " is empty");
    }
    return line;
  }
}
