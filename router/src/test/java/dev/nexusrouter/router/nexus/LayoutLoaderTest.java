package dev.nexusrouter.router.nexus;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigException;
import dev.nexusrouter.router.nexus.Layout.IndexType;
import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.Layout.Type;
import dev.nexusrouter.router.nexus.Layout.WritePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutLoaderTest {

  @Test
  void theBuiltInLayoutReproducesTheSeed() {
    Layout l = LayoutLoader.builtIn();

    assertEquals(
        List.of("aliyun-hub", "default", "docker-hub", "google-hub", "ybcard"),
        l.blobStores().stream().map(Layout.BlobStore::name).toList());
    l.blobStores().forEach(b -> assertEquals(b.name(), b.path()));
    proxy(l, "docker-hub", 8083, "https://registry-1.docker.io", IndexType.HUB);
    proxy(l, "google-hub", 8084, "https://registry.k8s.io", IndexType.REGISTRY);
    proxy(l, "aliyun-hub", 8085, "https://registry.cn-hangzhou.aliyuncs.com", IndexType.REGISTRY);
    Repository hosted = l.repository("ybcard").orElseThrow();
    assertEquals(Type.HOSTED, hosted.type());
    assertEquals(8086, hosted.docker().httpPort());
    assertEquals(WritePolicy.ALLOW, hosted.writePolicy());
    assertEquals("ybcard", hosted.blobStore());
    Repository group = l.repository("hub-group").orElseThrow();
    assertEquals(Type.GROUP, group.type());
    assertEquals(8082, group.docker().httpPort());
    assertEquals("default", group.blobStore());
    assertEquals(List.of("ybcard", "docker-hub", "aliyun-hub", "google-hub"), group.members());
    for (Repository r : l.repositories()) {
      assertTrue(r.online() && r.strictContentValidation() && r.docker().v1Enabled(), r.name());
      assertTrue(r.docker().forceBasicAuth(), r.name());
      assertNull(r.docker().httpsPort(), r.name());
    }
    assertTrue(l.security().dockerTokenRealm());
    assertEquals(false, l.security().anonymousPull());
    assertEquals(List.of(), LayoutLoader.warnings(l));
  }

  private static void proxy(Layout l, String name, int port, String remote, IndexType index) {
    Repository r = l.repository(name).orElseThrow();
    assertEquals(Type.PROXY, r.type());
    assertEquals(port, r.docker().httpPort());
    assertEquals(name, r.blobStore());
    assertEquals(remote, r.proxy().remoteUrl());
    assertEquals(index, r.proxy().indexType());
    assertEquals(1440, r.proxy().contentMaxAge());
    assertEquals(1440, r.proxy().metadataMaxAge());
    assertTrue(r.proxy().negativeCache());
    assertEquals(1440, r.proxy().negativeCacheTtl());
    assertTrue(r.proxy().autoBlock());
    assertEquals(false, r.proxy().blocked());
  }

  @Test
  void everyProblemIsReportedWithItsYamlPath() {
    String yaml =
        """
        blob-stores:
          - name: hub
          - name: HUB
            colour: blue
        repositories:
          - name: Upper
            type: proxy
            blob-store: hub
            http-port: 8081
          - name: hosted
            type: hosted
            blob-store: nowhere
            http-port: 9000
            remote-url: https://example.org
            write-policy: sometimes
          - name: g
            type: group
            blob-store: hub
            https-port: 9000
            members: [hosted, missing, hosted]
          - name: x
            type: mirror
            blob-store: hub
        security: {docker-token-realm: yes-please}
        extra: 1
        """;

    ConfigException e =
        assertThrows(ConfigException.class, () -> LayoutLoader.parse(yaml, "layout.yaml"));

    List<String> expected =
        List.of(
            "blob-stores[1].name: 'HUB' is already defined at blob-stores[0]",
            "blob-stores[1].colour: unknown key",
            "repositories[0].name: docker repository names must be lower-case",
            "repositories[0].remote-url: required for a proxy",
            "repositories[0].http-port: 8081 is Nexus's own HTTP port",
            "repositories[1].blob-store: undefined blob store 'nowhere' (defined: HUB, hub)",
            "repositories[1].remote-url: only for type: proxy",
            "repositories[1].write-policy: must be allow, allow-once or deny, found 'sometimes'",
            "repositories[2].https-port: port 9000 is already used by docker hosted 'hosted'",
            "repositories[2].members[1]: 'missing' is not a repository of this layout",
            "repositories[2].members[2]: 'hosted' is listed twice",
            "repositories[3].type: must be proxy, hosted or group, found 'mirror'",
            "security.docker-token-realm: expected true or false",
            "extra: unknown key");
    for (String x : expected) {
      assertTrue(
          e.problems().stream().anyMatch(p -> p.startsWith(x)), x + " not in\n" + e.report());
    }
    assertEquals(expected.size(), e.problems().size(), e.report());
  }

  @Test
  void rolesAndUsersAreReadWithDefaultsAndCheckedWithTheirPaths() {
    Layout l =
        LayoutLoader.parse(
            """
            security:
              roles:
                - {id: docker-pull, privileges: [nx-repository-view-docker-*-read]}
              users:
                - {id: ci, email: ci@example.com, roles: [docker-pull], password-file: /run/ci.pw}
            """,
            "t");
    Layout.Role role = l.security().roles().get(0);
    assertEquals("docker-pull", role.name());
    assertEquals(List.of("nx-repository-view-docker-*-read"), role.privileges());
    Layout.User user = l.security().users().get(0);
    assertEquals("ci", user.firstName());
    assertEquals("/run/ci.pw", user.passwordFile());

    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                LayoutLoader.parse(
                    """
                    security:
                      roles: [{id: a}, {id: a}, {name: x}]
                      users:
                        - {id: u, email: nope, roles: []}
                        - {id: "bad id", email: b@c, roles: [a], password-file: f, extra: 1}
                    """,
                    "t"));
    String report = e.report();
    assertContains(
        report,
        "security.roles[1].id: 'a' is already defined at security.roles[0]",
        "security.roles[2].id: required",
        "security.users[0].email: 'nope' is not an email address",
        "security.users[0].roles: a user needs at least one role",
        "security.users[0].password-file: required",
        "security.users[1].id: 'bad id' is not a valid Nexus id",
        "security.users[1].extra: unknown key");
  }

  @Test
  void cacheAgesTakeTheConfigDurationFormsInWholeMinutes() {
    assertEquals(90, LayoutLoader.parseMinutes("90m"));
    assertEquals(1440, LayoutLoader.parseMinutes("24h"));
    assertEquals(2880, LayoutLoader.parseMinutes(" 2d "));
    assertNull(LayoutLoader.parseMinutes("90"), "a unit is required");
    assertNull(LayoutLoader.parseMinutes("30s"));
    assertNull(LayoutLoader.parseMinutes("999999999999999d"), "overflow is not a duration");
  }

  @Test
  void groupsAreCreatedAfterTheirMembersWhateverTheFileOrder() {
    Layout l =
        LayoutLoader.parse(
            """
            blob-stores: [{name: default}]
            repositories:
              - {name: outer, type: group, blob-store: default, members: [inner, team]}
              - {name: inner, type: group, blob-store: default, members: [hub]}
              - {name: hub, type: proxy, blob-store: default, remote-url: https://registry-1.docker.io}
              - {name: team, type: hosted, blob-store: default}
            """,
            "t");

    assertEquals(
        List.of("hub", "inner", "team", "outer"),
        LayoutLoader.creationOrder(l.repositories()).stream().map(Repository::name).toList());
  }

  @Test
  void groupCyclesAreRejected() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                LayoutLoader.parse(
                    """
                    blob-stores: [{name: default}]
                    repositories:
                      - {name: a, type: group, blob-store: default, members: [b]}
                      - {name: b, type: group, blob-store: default, members: [a]}
                    """,
                    "t"));
    assertEquals(List.of("repositories: groups contain each other in a cycle: a, b"), e.problems());
  }

  @Test
  void defaultsAndDurationsOfAMinimalProxy() {
    Layout l =
        LayoutLoader.parse(
            """
            blob-stores: [{name: s, path: /srv/blobs/s}]
            repositories:
              - name: p
                type: proxy
                blob-store: s
                remote-url: https://quay.io
                max-component-age: -1
                max-metadata-age: 6h
                negative-cache-ttl: 1d
            security: {anonymous-pull: true}
            """,
            "t");
    Repository p = l.repository("p").orElseThrow();
    assertEquals("/srv/blobs/s", l.blobStores().get(0).path());
    assertEquals(IndexType.REGISTRY, p.proxy().indexType());
    assertEquals(-1, p.proxy().contentMaxAge());
    assertEquals(360, p.proxy().metadataMaxAge());
    assertEquals(1440, p.proxy().negativeCacheTtl());
    assertNull(p.docker().httpPort());
    assertEquals(false, p.docker().forceBasicAuth(), "anonymous-pull relaxes basic auth");
  }

  @Test
  void aHostedMemberAfterAProxyIsWarnedAbout() {
    Layout l =
        LayoutLoader.parse(
            """
            blob-stores: [{name: default}]
            repositories:
              - {name: hub, type: proxy, blob-store: default, remote-url: https://registry-1.docker.io}
              - {name: team, type: hosted, blob-store: default}
              - {name: all, type: group, blob-store: default, members: [hub, team]}
            """,
            "t");
    List<String> w = LayoutLoader.warnings(l);
    assertEquals(1, w.size());
    assertTrue(w.get(0).startsWith("group 'all' lists hosted 'team' after a proxy"), w.get(0));
  }
}
