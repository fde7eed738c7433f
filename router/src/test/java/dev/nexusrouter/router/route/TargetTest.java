package dev.nexusrouter.router.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Which upstream each kind of target names for a host with group, hosted and v1 roles. */
class TargetTest {
  private record Host(String group, String hosted, String v1) implements Target.Roles {}

  private static final Host HOST = new Host("grp", "hst", "old");
  private static final Function<String, String> REPOS = Map.of("team", "team-up")::get;

  private static String resolve(Target t, String method, String path) {
    return t.resolve(method, RegistryPathParser.parse(path), HOST, REPOS);
  }

  @Test
  void rolesNameTheHostsUpstreams() {
    assertEquals("grp", resolve(Target.GROUP, "GET", "/v2/a/manifests/1"));
    assertEquals("hst", resolve(Target.HOSTED, "PUT", "/v2/a/manifests/1"));
    assertEquals("hst", resolve(Target.HOSTED_THEN_GROUP, "HEAD", "/v2/a/manifests/1"));
    assertEquals("old", resolve(Target.V1, "GET", "/v1/search"));
    assertEquals("named", resolve(Target.parse("named"), "GET", "/v2/"));
  }

  @Test
  void legacySendsGetToGroupAndEverythingElseToHosted() {
    assertEquals("grp", resolve(Target.LEGACY, "GET", "/v2/a/blobs/sha256:1"));
    assertEquals("hst", resolve(Target.LEGACY, "HEAD", "/v2/a/blobs/sha256:1"));
    assertEquals("hst", resolve(Target.LEGACY, "POST", "/v2/a/blobs/uploads/"));
  }

  @Test
  void repositoryNeedsAPathModeRepositoryThatAnUpstreamServes() {
    assertEquals("team-up", resolve(Target.REPOSITORY, "GET", "/repository/team/v2/a/manifests/1"));
    assertNull(resolve(Target.REPOSITORY, "GET", "/repository/other/v2/a/manifests/1"));
    assertNull(resolve(Target.REPOSITORY, "GET", "/v2/a/manifests/1"));
  }
}
