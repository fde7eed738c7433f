package dev.nexusrouter.router.nexus;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The Nexus Docker layout to provision: file blob stores, docker repositories and the security
 * settings Docker clients need. Validated by {@link LayoutLoader}; every reference (blob store,
 * group member) resolves inside the layout.
 */
record Layout(List<BlobStore> blobStores, List<Repository> repositories, Security security) {

  Layout {
    blobStores = List.copyOf(blobStores);
    repositories = List.copyOf(repositories);
  }

  Optional<Repository> repository(String name) {
    return repositories.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  List<Repository> ofType(Type type) {
    return repositories.stream().filter(r -> r.type() == type).toList();
  }

  /**
   * A file blob store.
   *
   * @param path relative to {@code <data-dir>/blobs} or absolute; the name by default, which is
   *     what the Nexus UI writes
   */
  record BlobStore(String name, String path) {}

  /** Repository type; the wire name is the last segment of {@code /v1/repositories/docker/…}. */
  enum Type {
    PROXY,
    HOSTED,
    GROUP;

    String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Where a proxy looks up image indexes: {@code dockerProxy.indexType}. */
  enum IndexType {
    HUB,
    REGISTRY,
    CUSTOM
  }

  /** Hosted deployment policy; stored upper-case by Nexus, written lower-dashed in the layout. */
  enum WritePolicy {
    ALLOW,
    ALLOW_ONCE,
    DENY;

    String yamlName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * Docker connector settings shared by every repository type.
   *
   * @param httpPort HTTP connector port, or null for none
   * @param httpsPort HTTPS connector port (needs HTTPS configured in Nexus itself), or null
   * @param forceBasicAuth false = "allow anonymous docker pull"
   * @param pathEnabled path-based routing (Nexus 3.83+); sent only when true
   */
  record Docker(
      Integer httpPort,
      Integer httpsPort,
      boolean v1Enabled,
      boolean forceBasicAuth,
      boolean pathEnabled) {}

  /** Proxy-only settings; ages in minutes as Nexus stores them. */
  record Proxy(
      String remoteUrl,
      IndexType indexType,
      String indexUrl,
      int contentMaxAge,
      int metadataMaxAge,
      boolean negativeCache,
      int negativeCacheTtl,
      boolean autoBlock,
      boolean blocked) {}

  /**
   * One docker repository.
   *
   * @param proxy proxy settings, null for other types
   * @param writePolicy hosted only, else null
   * @param members group only (in lookup order), else empty
   */
  record Repository(
      String name,
      Type type,
      boolean online,
      String blobStore,
      boolean strictContentValidation,
      Docker docker,
      Proxy proxy,
      WritePolicy writePolicy,
      List<String> members) {

    Repository {
      members = List.copyOf(members);
    }

    String describe() {
      return "docker " + type.wireName() + " '" + name + "'";
    }
  }

  /**
   * @param dockerTokenRealm activate the Docker Bearer Token realm (needed by docker clients)
   * @param anonymousPull enable global anonymous access (and default repositories to allow
   *     anonymous pulls)
   * @param roles Nexus roles to create or update (in this order, before the users)
   * @param users local Nexus users to create or update
   */
  record Security(
      boolean dockerTokenRealm, boolean anonymousPull, List<Role> roles, List<User> users) {
    Security {
      roles = List.copyOf(roles);
      users = List.copyOf(users);
    }
  }

  /**
   * A Nexus role: privileges and contained roles, compared as sets.
   *
   * @param name shown in the UI; the id by default
   */
  record Role(
      String id, String name, String description, List<String> privileges, List<String> roles) {
    Role {
      privileges = List.copyOf(privileges);
      roles = List.copyOf(roles);
    }
  }

  /**
   * A local (default-source) Nexus user.
   *
   * @param passwordFile read only when the user is created; an existing user's password is left
   *     alone
   */
  record User(
      String id,
      String firstName,
      String lastName,
      String email,
      List<String> roles,
      String passwordFile) {
    User {
      roles = List.copyOf(roles);
    }
  }
}
