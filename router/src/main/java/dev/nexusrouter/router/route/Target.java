package dev.nexusrouter.router.route;

import java.util.function.Function;

/**
 * Where a route row sends a request: one of the virtual host's roles ({@code group}, {@code
 * hosted}, {@code v1}), hosted with a once-retry on the group ({@code hosted-then-group}), the
 * legacy method rule of the nginx config, the upstream matching a {@code /repository/<repo>/}
 * prefix, or an upstream by name.
 */
public record Target(Kind kind, String upstream) {
  /** The kinds of target a row can name. */
  public enum Kind {
    GROUP,
    HOSTED,
    /**
     * Hosted first; a 404 from hosted is retried once on the group before the client sees it. Only
     * for HEAD (no body to replay): the shape of a request that cannot tell a push check from a
     * pull resolve (docs/client-request-shapes.md).
     */
    HOSTED_THEN_GROUP,
    V1,
    /** GET to group, everything else to hosted: the seed nginx rule, kept as the safety net. */
    LEGACY,
    /** The upstream whose path-mode repository matches the request's {@code /repository/<repo>}. */
    REPOSITORY,
    UPSTREAM
  }

  public static final Target GROUP = new Target(Kind.GROUP, null);
  public static final Target HOSTED = new Target(Kind.HOSTED, null);
  public static final Target HOSTED_THEN_GROUP = new Target(Kind.HOSTED_THEN_GROUP, null);
  public static final Target V1 = new Target(Kind.V1, null);
  public static final Target LEGACY = new Target(Kind.LEGACY, null);
  public static final Target REPOSITORY = new Target(Kind.REPOSITORY, null);

  /** Parses the {@code to:} value of a row; any other word names an upstream. */
  public static Target parse(String s) {
    return switch (s) {
      case "group" -> GROUP;
      case "hosted" -> HOSTED;
      case "hosted-then-group" -> HOSTED_THEN_GROUP;
      case "v1" -> V1;
      case "legacy" -> LEGACY;
      case "repository" -> REPOSITORY;
      default -> new Target(Kind.UPSTREAM, s);
    };
  }

  /**
   * The upstream roles of a registry host that targets name; {@code VirtualHostConfig} has them.
   */
  public interface Roles {
    String group();

    String hosted();

    String v1();
  }

  /**
   * The name of the upstream this target sends a request to, or null when none serves it.
   *
   * @param method the request's upper-case method ({@code legacy} sends GET to group)
   * @param path the parsed request path ({@code repository} needs its repository)
   * @param roles the host's group, hosted and v1 upstreams
   * @param repositoryUpstream the upstream serving a path-mode repository by its name, or null
   */
  public String resolve(
      String method, RegistryPath path, Roles roles, Function<String, String> repositoryUpstream) {
    return switch (kind) {
      case GROUP -> roles.group();
      case HOSTED, HOSTED_THEN_GROUP -> roles.hosted();
      case V1 -> roles.v1();
      case LEGACY -> method.equals("GET") ? roles.group() : roles.hosted();
      case REPOSITORY ->
          path.repository() == null ? null : repositoryUpstream.apply(path.repository());
      case UPSTREAM -> upstream;
    };
  }

  @Override
  public String toString() {
    return kind == Kind.UPSTREAM
        ? upstream
        : kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
