package dev.nexusrouter.router.nexus;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Nexus release as announced in {@code Server: Nexus/3.77.1-01 (OSS)} (EnvironmentFilter) or in
 * swagger.json's {@code info.version}.
 */
record NexusVersion(int major, int minor, int patch, String text) {
  /**
   * First release with the v1 docker repository, blob store and realm endpoints
   * (docs/nexus-provisioning.md#status-and-version).
   */
  static final NexusVersion MINIMUM = new NexusVersion(3, 26, 0, "3.26.0");

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)(\\S*)");

  /** Null unless the text carries a x.y.z version. */
  static NexusVersion parse(String text) {
    if (text == null) {
      return null;
    }
    String t = text.trim();
    if (t.startsWith("Nexus/")) {
      t = t.substring("Nexus/".length());
    } else if (text.contains("/")) {
      return null; // another server (a proxy in front of Nexus): says nothing about Nexus
    }
    Matcher m = VERSION.matcher(t);
    if (!m.lookingAt()) {
      return null;
    }
    return new NexusVersion(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)),
        t);
  }

  boolean atLeast(NexusVersion other) {
    if (major != other.major) {
      return major > other.major;
    }
    if (minor != other.minor) {
      return minor > other.minor;
    }
    return patch >= other.patch;
  }

  static String tooOld(String detected) {
    return "Nexus "
        + detected
        + " is too old: provisioning needs the v1 REST API for blob stores, docker repositories"
        + " and security realms, which Nexus "
        + MINIMUM.text()
        + " and later provide. Upgrade Nexus (e.g. sonatype/nexus3:3.26.0 or newer; keep the"
        + " /nexus-data volume) and run this again, or create the layout by hand in the UI.";
  }
}
