package dev.nexusrouter.router.nexus;

import dev.nexusrouter.router.nexus.NexusClient.Response;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * First start: replaces the random initial admin password (written to {@code admin.password} in the
 * data directory) with the one from a file (docs/nexus-provisioning.md#admin-password). Safe to
 * repeat: when the new password already works nothing is sent.
 */
final class AdminPassword {
  static final String PROBE = "/v1/security/users?userId=admin";
  static final String CHANGE = "/v1/security/users/admin/change-password";

  private AdminPassword() {}

  /**
   * Leaves the client logged in with the new password (or, in a dry run where the change is still
   * pending, with the initial one).
   */
  static void ensure(
      NexusClient nexus, Path initialFile, String newPassword, boolean dryRun, PrintStream out) {
    Credentials wanted = new Credentials("admin", newPassword);
    nexus.useCredentials(wanted);
    Response probe = nexus.get(PROBE);
    if (probe.status() == 200) {
      out.println("  ok        admin password (already changed)");
      return;
    }
    if (probe.status() != 401) {
      nexus.check(probe, "check the admin password", 200);
    }
    if (!Files.exists(initialFile)) {
      throw new NexusException(
          "the new admin password is not accepted (401) and "
              + initialFile
              + " does not exist; set NEXUS_PASSWORD or --password-file to the current admin"
              + " password");
    }
    String initial = Credentials.readPasswordFile(initialFile, "initial admin password file");
    nexus.useCredentials(new Credentials("admin", initial));
    if (dryRun) {
      out.println("  update    admin password (from " + initialFile + ")");
      return;
    }
    Response r = nexus.putText(CHANGE, newPassword);
    if (r.status() == 404) {
      // 3.17-3.25 only have the beta twin (docs/nexus-provisioning.md#admin-password)
      r = nexus.putText(CHANGE.replace("/v1/", "/beta/"), newPassword);
    }
    if (r.status() == 401) {
      throw new NexusException(
          "neither the new password nor the one in "
              + initialFile
              + " is accepted for admin (401); the file is stale (Nexus 3.18-3.20 keep it after a"
              + " change). Set NEXUS_PASSWORD or --password-file to the current admin password");
    }
    nexus.check(r, "change the admin password", 204, 200);
    nexus.useCredentials(wanted);
    out.println("  done      admin password changed (initial password from " + initialFile + ")");
  }
}
