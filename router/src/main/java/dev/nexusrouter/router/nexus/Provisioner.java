package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.router.nexus.Layout.BlobStore;
import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.NexusClient.Response;
import dev.nexusrouter.router.nexus.Plan.Action;
import dev.nexusrouter.router.nexus.Plan.Change;
import dev.nexusrouter.router.nexus.Plan.Step;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Compares the layout with what Nexus has (GETs only) into a {@link Plan}, then carries the plan
 * out: POST to create, PUT the full body to update, in dependency order (blob stores, members,
 * groups, realms, anonymous access).
 */
final class Provisioner {
  static final String DOCKER_TOKEN = "DockerToken";
  static final String DOCKER_TOKEN_NAME = "Docker Bearer Token Realm";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final NexusClient nexus;
  private final Layout layout;
  private final boolean dockerFormat;

  /**
   * @param dockerFormat false when Nexus has no docker format: the docker repositories and the
   *     Docker Bearer Token realm are then planned as skipped, everything else as usual
   */
  Provisioner(NexusClient nexus, Layout layout, boolean dockerFormat) {
    this.nexus = nexus;
    this.layout = layout;
    this.dockerFormat = dockerFormat;
  }

  Plan plan() {
    Plan plan = new Plan();
    planBlobStores(plan);
    if (dockerFormat) {
      planRepositories(plan);
    } else {
      for (Repository r : LayoutLoader.creationOrder(layout.repositories())) {
        plan.add(skipped(r.describe()));
      }
    }
    if (layout.security().dockerTokenRealm()) {
      plan.add(dockerFormat ? planRealm() : skipped("security realm " + DOCKER_TOKEN_NAME));
    }
    if (layout.security().anonymousPull()) {
      plan.add(planAnonymous());
    }
    if (!layout.security().roles().isEmpty() || !layout.security().users().isEmpty()) {
      planRolesAndUsers(plan);
    }
    return plan;
  }

  // ---- blob stores (docs/nexus-provisioning.md#blob-stores)

  private void planBlobStores(Plan plan) {
    Response list = nexus.check(nexus.get("/v1/blobstores"), "list blob stores", 200);
    Map<String, JsonNode> existing = new HashMap<>();
    for (JsonNode s : nexus.parse(list, "the blob store list")) {
      existing.put(s.path("name").asText().toLowerCase(Locale.ROOT), s);
    }
    for (BlobStore b : layout.blobStores()) {
      plan.add(planBlobStore(b, existing.get(b.name().toLowerCase(Locale.ROOT))));
    }
  }

  private Step planBlobStore(BlobStore b, JsonNode current) {
    String subject = "blob store '" + b.name() + "'";
    if (current == null) {
      ObjectNode body = F.objectNode().put("name", b.name()).put("path", b.path());
      return create(subject, "file, path " + b.path(), "/v1/blobstores/file", body, 204, 201);
    }
    String name = current.path("name").asText();
    if (!name.equals(b.name())) {
      return conflict(
          subject,
          "Nexus has it as '"
              + name
              + "' (names are unique ignoring case and cannot be renamed); use that spelling in the"
              + " layout");
    }
    String type = current.path("type").asText("File");
    if (!type.equalsIgnoreCase("File")) {
      return conflict(subject, "it is a " + type + " blob store, the layout wants a file one");
    }
    Response r = nexus.check(nexus.get("/v1/blobstores/file/" + b.name()), "read " + subject, 200);
    String path = nexus.parse(r, "the blob store").path("path").asText();
    if (!samePath(path, b.path())) {
      // blob files stay where they are: a new path would orphan them, so this is left to a human
      return conflict(
          subject,
          "its path is '"
              + path
              + "', the layout says '"
              + b.path()
              + "'; moving a blob store is not done over the API. Fix the layout, or move it by hand");
    }
    return unchanged(subject);
  }

  /** Relative paths resolve against {@code <data-dir>/blobs}; Nexus may report either form. */
  private static boolean samePath(String current, String wanted) {
    return current.equals(wanted)
        || (!wanted.startsWith("/") && current.endsWith("/blobs/" + wanted));
  }

  // ---- repositories (docs/nexus-provisioning.md#repositories)

  private void planRepositories(Plan plan) {
    Response list = nexus.check(nexus.get("/v1/repositories"), "list repositories", 200);
    Map<String, JsonNode> existing = new HashMap<>();
    for (JsonNode r : nexus.parse(list, "the repository list")) {
      existing.put(r.path("name").asText().toLowerCase(Locale.ROOT), r);
    }
    for (Repository r : LayoutLoader.creationOrder(layout.repositories())) {
      plan.add(planRepository(r, existing.get(r.name().toLowerCase(Locale.ROOT))));
    }
  }

  private Step planRepository(Repository r, JsonNode listed) {
    String subject = r.describe();
    String typePath = "/v1/repositories/docker/" + r.type().wireName();
    ObjectNode desired = RepositoryBodies.desired(r);
    if (listed == null) {
      return create(subject, createSummary(r), typePath, desired, 201, 200, 204);
    }
    String name = listed.path("name").asText();
    String format = listed.path("format").asText();
    String type = listed.path("type").asText();
    if (!name.equals(r.name())) {
      return conflict(
          subject, "Nexus has it as '" + name + "'; repositories cannot be renamed over the API");
    }
    if (!format.equals("docker") || !type.equals(r.type().wireName())) {
      return conflict(
          subject,
          "a "
              + format
              + " "
              + type
              + " repository has this name; format and type cannot change. Delete it in Nexus or"
              + " rename it in the layout");
    }
    String itemPath = typePath + "/" + r.name();
    JsonNode current =
        nexus.parse(nexus.check(nexus.get(itemPath), "read " + subject, 200), subject);
    List<Change> changes = new ArrayList<>(RepositoryBodies.diff(desired, current));
    List<String> problems = new ArrayList<>();
    changes.removeIf(
        c -> {
          if (c.field().equals(RepositoryBodies.BLOB_STORE)) {
            problems.add(
                "its blob store is "
                    + c.current()
                    + ", the layout says "
                    + c.desired()
                    + "; Nexus cannot change a repository's blob store. Recreate the repository"
                    + " (delete it in Nexus and run provision again) or fix the layout");
            return true;
          }
          return false;
        });
    if (changes.isEmpty()) {
      return problems.isEmpty()
          ? unchanged(subject)
          : new Step(Action.CONFLICT, subject, null, List.of(), problems, null);
    }
    JsonNode auth = current.path("httpClient").path("authentication");
    if (auth.isObject()) {
      // GET never returns the password; a PUT of what we read would erase it
      problems.add(
          "it authenticates to its remote; Nexus does not return that password, so an update"
              + " would erase it. Apply the changes above in the UI");
      return new Step(Action.CONFLICT, subject, null, changes, problems, null);
    }
    ObjectNode body = RepositoryBodies.updateBody(desired, current);
    return update(subject, changes, problems, itemPath, body, "update", 204, 200);
  }

  private static String createSummary(Repository r) {
    List<String> parts = new ArrayList<>();
    if (r.docker().httpPort() != null) {
      parts.add("HTTP " + r.docker().httpPort());
    }
    if (r.docker().httpsPort() != null) {
      parts.add("HTTPS " + r.docker().httpsPort());
    }
    switch (r.type()) {
      case PROXY -> parts.add("-> " + r.proxy().remoteUrl());
      case HOSTED -> parts.add("write policy " + r.writePolicy().name());
      case GROUP -> parts.add("members " + String.join(", ", r.members()));
    }
    parts.add("blob store " + r.blobStore());
    return String.join(", ", parts);
  }

  // ---- security (docs/nexus-provisioning.md#realms-and-anonymous-access)

  /**
   * GET the active list, append the Docker token realm, PUT it back: the list must be complete and
   * its members differ between versions (NexusAuthorizingRealm is hidden from 3.60 on).
   */
  private Step planRealm() {
    String subject = "security realm " + DOCKER_TOKEN_NAME;
    JsonNode available =
        nexus.parse(
            nexus.check(nexus.get("/v1/security/realms/available"), "list available realms", 200),
            "the realm list");
    String id = null;
    List<String> ids = new ArrayList<>();
    for (JsonNode realm : available) {
      String realmId = realm.path("id").asText();
      ids.add(realmId);
      if (realmId.equals(DOCKER_TOKEN)
          || (id == null && realm.path("name").asText().startsWith("Docker Bearer Token"))) {
        id = realmId;
      }
    }
    if (id == null) {
      return conflict(
          subject,
          "no Docker Bearer Token realm among the available realms ("
              + String.join(", ", ids)
              + "); is the docker format enabled in this Nexus?");
    }
    JsonNode active =
        nexus.parse(
            nexus.check(nexus.get("/v1/security/realms/active"), "read active realms", 200),
            "the active realm list");
    List<String> now = new ArrayList<>();
    active.forEach(a -> now.add(a.asText()));
    if (now.contains(id)) {
      return unchanged(subject);
    }
    List<String> wanted = new ArrayList<>(now);
    wanted.add(id);
    ArrayNode body = F.arrayNode();
    wanted.forEach(body::add);
    return update(
        subject,
        List.of(new Change("active realms", now.toString(), wanted.toString())),
        List.of(),
        "/v1/security/realms/active",
        body,
        "activate",
        204,
        200);
  }

  private Step planAnonymous() {
    String subject = "anonymous access";
    JsonNode current =
        nexus.parse(
            nexus.check(nexus.get("/v1/security/anonymous"), "read anonymous access", 200),
            "the anonymous settings");
    if (current.path("enabled").asBoolean(false)) {
      return unchanged(subject);
    }
    ObjectNode body =
        F.objectNode()
            .put("enabled", true)
            .put("userId", current.path("userId").asText("anonymous"))
            .put("realmName", current.path("realmName").asText("NexusAuthorizingRealm"));
    return update(
        subject,
        List.of(new Change("enabled", "false", "true")),
        List.of(),
        "/v1/security/anonymous",
        body,
        "enable",
        200,
        204);
  }

  // ---- roles and users

  private void planRolesAndUsers(Plan plan) {
    JsonNode list =
        nexus.parse(
            nexus.check(nexus.get("/v1/security/roles"), "list roles", 200), "the role list");
    Map<String, JsonNode> existing = new HashMap<>();
    list.forEach(r -> existing.put(r.path("id").asText(), r));
    Set<String> known = new HashSet<>(existing.keySet());
    layout.security().roles().forEach(r -> known.add(r.id()));
    for (Layout.Role r : layout.security().roles()) {
      plan.add(planRole(r, existing.get(r.id()), known));
    }
    for (Layout.User u : layout.security().users()) {
      plan.add(planUser(u, known));
    }
  }

  private static ObjectNode roleBody(Layout.Role r) {
    ObjectNode body =
        F.objectNode().put("id", r.id()).put("name", r.name()).put("description", r.description());
    r.privileges().forEach(body.putArray("privileges")::add);
    r.roles().forEach(body.putArray("roles")::add);
    return body;
  }

  private Step planRole(Layout.Role r, JsonNode current, Set<String> known) {
    String subject = "role '" + r.id() + "'";
    List<String> unknown = r.roles().stream().filter(id -> !known.contains(id)).toList();
    if (!unknown.isEmpty()) {
      return conflict(
          subject, "it contains roles that neither Nexus nor the layout has: " + unknown);
    }
    ObjectNode body = roleBody(r);
    if (current == null) {
      return create(
          subject,
          "privileges " + r.privileges() + ", roles " + r.roles(),
          "/v1/security/roles",
          body,
          200,
          201,
          204);
    }
    if (current.path("readOnly").asBoolean(false)
        || !current.path("source").asText("default").equals("default")) {
      return conflict(subject, "it is a built-in or external role; Nexus does not let it change");
    }
    List<Change> changes = new ArrayList<>();
    compare(changes, "name", current.path("name").asText(), r.name());
    compare(changes, "description", current.path("description").asText(""), r.description());
    compareSets(changes, "privileges", current.path("privileges"), r.privileges());
    compareSets(changes, "roles", current.path("roles"), r.roles());
    if (changes.isEmpty()) {
      return unchanged(subject);
    }
    return update(
        subject, changes, List.of(), "/v1/security/roles/" + r.id(), body, "update", 204, 200);
  }

  private Step planUser(Layout.User u, Set<String> knownRoles) {
    String subject = "user '" + u.id() + "'";
    List<String> unknown = u.roles().stream().filter(id -> !knownRoles.contains(id)).toList();
    if (!unknown.isEmpty()) {
      // Nexus would accept them silently and the user would lack the access the layout means
      return conflict(subject, "roles that neither Nexus nor the layout has: " + unknown);
    }
    Response r =
        nexus.check(
            nexus.get("/v1/security/users?userId=" + encode(u.id())), "look up " + subject, 200);
    JsonNode current = null;
    for (JsonNode candidate : nexus.parse(r, "the user list")) {
      if (candidate.path("userId").asText().equals(u.id())
          && candidate.path("source").asText("default").equals("default")) {
        current = candidate;
      }
    }
    if (current == null) {
      // read now: a missing file stops the run before anything is changed
      String password = Credentials.readPasswordFile(Path.of(u.passwordFile()), "password file");
      ObjectNode body =
          F.objectNode()
              .put("userId", u.id())
              .put("firstName", u.firstName())
              .put("lastName", u.lastName())
              .put("emailAddress", u.email())
              .put("password", password)
              .put("status", "active");
      u.roles().forEach(body.putArray("roles")::add);
      return create(
          subject,
          "roles " + u.roles() + ", password from " + u.passwordFile(),
          "/v1/security/users",
          body,
          200,
          201,
          204);
    }
    List<Change> changes = new ArrayList<>();
    compare(changes, "firstName", current.path("firstName").asText(), u.firstName());
    compare(changes, "lastName", current.path("lastName").asText(), u.lastName());
    compare(changes, "emailAddress", current.path("emailAddress").asText(), u.email());
    compareSets(changes, "roles", current.path("roles"), u.roles());
    if (changes.isEmpty()) {
      return unchanged(subject);
    }
    ObjectNode body = ((ObjectNode) current).deepCopy();
    body.remove("externalRoles");
    body.put("firstName", u.firstName())
        .put("lastName", u.lastName())
        .put("emailAddress", u.email());
    u.roles().forEach(body.putArray("roles")::add);
    return update(
        subject,
        changes,
        List.of(),
        "/v1/security/users/" + encode(u.id()),
        body,
        "update",
        204,
        200);
  }

  private static void compare(List<Change> changes, String field, String current, String wanted) {
    if (!current.equals(wanted)) {
      changes.add(new Change(field, current, wanted));
    }
  }

  private static void compareSets(
      List<Change> changes, String field, JsonNode current, List<String> wanted) {
    Set<String> now = new TreeSet<>();
    current.forEach(n -> now.add(n.asText()));
    Set<String> want = new TreeSet<>(wanted);
    if (!now.equals(want)) {
      changes.add(new Change(field, now.toString(), want.toString()));
    }
  }

  private static String encode(String id) {
    return URLEncoder.encode(id, StandardCharsets.UTF_8);
  }

  // ---- applying

  /** True when every pending step succeeded; stops at the first failure and says what is left. */
  boolean apply(Plan plan, PrintStream out) {
    List<Step> pending = plan.pending();
    List<String> done = new ArrayList<>();
    for (int i = 0; i < pending.size(); i++) {
      Step s = pending.get(i);
      try {
        s.apply().run();
        done.add(s.title());
        out.println("  done      " + s.subject());
      } catch (NexusException e) {
        out.println("  FAILED    " + s.subject() + ": " + e.getMessage());
        out.println("Stopped: later steps may depend on this one.");
        out.println("Done (" + done.size() + "):" + (done.isEmpty() ? " nothing" : ""));
        done.forEach(d -> out.println("  " + d));
        out.println("Not done (" + (pending.size() - i) + "):");
        for (Step left : pending.subList(i, pending.size())) {
          out.println("  " + left.title());
        }
        out.println("Fix the cause and run provision again: finished steps are left as they are.");
        return false;
      }
    }
    return true;
  }

  private void check(Response r, String what, int... ok) {
    if (r.status() == 400) {
      throw new NexusException("cannot " + what + ": " + nexus.explain(r) + hint400(what));
    }
    nexus.check(r, what, ok);
  }

  /**
   * Nexus maps every create/update failure to 400 (docs/nexus-provisioning.md#rest-conventions);
   * say what usually causes it.
   */
  private static String hint400(String what) {
    if (what.contains(" role '")) {
      return " (every privilege must exist in Nexus; a role of that id may already exist)";
    }
    if (what.contains(" user '")) {
      return "";
    }
    if (what.contains("blob store")) {
      return " (a blob store of that name, in any letter case, or with that path may already exist)";
    }
    if (what.contains("group")) {
      return " (every member must already exist and be a docker repository; a repository of that"
          + " name may already exist)";
    }
    if (what.contains("realm")) {
      return " (Nexus rejects realm ids it does not know)";
    }

    return " (a repository of that name may already exist, or its blob store is missing)";
  }

  /** POSTs {@code body} to {@code path}; {@code ok} are the statuses that mean it was created. */
  private Step create(String subject, String summary, String path, JsonNode body, int... ok) {
    return new Step(
        Action.CREATE,
        subject,
        summary,
        List.of(),
        List.of(),
        () -> check(nexus.post(path, body), "create " + subject, ok));
  }

  /** PUTs {@code body} to {@code path}; {@code verb} names the change in a failure. */
  private Step update(
      String subject,
      List<Change> changes,
      List<String> problems,
      String path,
      JsonNode body,
      String verb,
      int... ok) {
    return new Step(
        Action.UPDATE,
        subject,
        null,
        changes,
        problems,
        () -> check(nexus.put(path, body), verb + " " + subject, ok));
  }

  private static Step conflict(String subject, String problem) {
    return new Step(Action.CONFLICT, subject, null, List.of(), List.of(problem), null);
  }

  private static Step skipped(String subject) {
    return new Step(Action.SKIPPED, subject, "needs the docker format", List.of(), List.of(), null);
  }

  private static Step unchanged(String subject) {
    return new Step(Action.UNCHANGED, subject, null, List.of(), List.of(), null);
  }
}
