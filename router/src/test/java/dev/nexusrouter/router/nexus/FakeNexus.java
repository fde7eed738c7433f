package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A Nexus that answers like the REST API of Nexus 3.71: Basic auth, 204 on blob store create, 201
 * on repository create, 400 with a validation list for duplicates and missing group members, typed
 * GET 404 for another type, realms checked against the available list, the text/plain password
 * change, and the {@code Server: Nexus/…} header on every response. Where the real Nexus can be
 * asked the same (everything but the docker repositories), status, content type and body are the
 * real ones: FakeNexusMatchesRealIT compares them with a real Nexus.
 */
final class FakeNexus extends Dispatcher implements AutoCloseable {
  static final String REST = "/service/rest";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Bean-validation lists ({@code [{"id","message"}]}) come with this type. */
  static final String VALIDATION_TYPE = "application/vnd.siesta-validation-errors-v1+json";

  static final String BASIC_CHALLENGE = "BASIC realm=\"Sonatype Nexus Repository Manager\"";

  /** One request as Nexus saw it; {@code path} is relative to /service/rest. */
  record Call(String method, String path, String contentType, String authorization, String body) {
    String line() {
      return method + " " + path;
    }
  }

  final MockWebServer server = new MockWebServer();
  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, String> blobStores = new LinkedHashMap<>();
  final Map<String, ObjectNode> repositories = new LinkedHashMap<>();
  final List<String[]> availableRealms = new ArrayList<>();
  final List<String> activeRealms = new ArrayList<>();
  final Map<String, String> failures = new LinkedHashMap<>();
  String version = "3.77.1-01";
  boolean sendServerHeader = true;
  boolean v1Api = true;

  /** False: like the open-source assembly, no docker endpoints and no DockerToken realm. */
  boolean dockerFormat = true;

  int statusCode = 200;
  int writableCode = 200;
  int notReadyPolls = 0;
  String adminPassword = "admin-secret";
  final Map<String, ObjectNode> roles = new LinkedHashMap<>();
  final Map<String, ObjectNode> users = new LinkedHashMap<>();
  final Map<String, String> userPasswords = new LinkedHashMap<>();
  boolean anonymousEnabled = false;

  FakeNexus() throws IOException {
    blobStores.put("default", "default"); // Nexus creates it on first start
    availableRealms.add(new String[] {"NexusAuthenticatingRealm", "Local Authenticating Realm"});
    availableRealms.add(new String[] {"DockerToken", "Docker Bearer Token Realm"});
    availableRealms.add(new String[] {"NpmToken", "npm Bearer Token Realm"});
    activeRealms.add("NexusAuthenticatingRealm"); // 3.60+: the authorizing realm is hidden
    for (String id : List.of("nx-admin", "nx-anonymous")) {
      ObjectNode r = JSON.createObjectNode().put("id", id).put("source", "default");
      r.put("name", id).put("description", id).put("readOnly", true);
      r.putArray("privileges").add(id.equals("nx-admin") ? "nx-all" : "nx-search-read");
      r.putArray("roles");
      roles.put(id, r);
    }
    users.put("admin", user("admin", "Administrator", "User", "admin@example.org", "nx-admin"));
    users.put(
        "anonymous",
        user("anonymous", "Anonymous", "User", "anonymous@example.org", "nx-anonymous"));
    server.setDispatcher(this);
    server.start();
  }

  String url() {
    String u = server.url("/").toString();
    return u.substring(0, u.length() - 1);
  }

  /** Answer {@code METHOD path} once with this status and body (e.g. a failure mid-run). */
  void failOnce(String methodAndPath, int status, String body) {
    failures.put(methodAndPath, status + "\n" + body);
  }

  List<Call> changes() {
    return calls.stream().filter(c -> !c.method().equals("GET")).toList();
  }

  @Override
  public MockResponse dispatch(RecordedRequest r) {
    String target = r.getTarget();
    String path = target.startsWith(REST) ? target.substring(REST.length()) : target;
    String body = r.getBody() == null ? "" : r.getBody().utf8();
    Call call =
        new Call(
            r.getMethod(),
            path,
            r.getHeaders().get("Content-Type"),
            r.getHeaders().get("Authorization"),
            body);
    calls.add(call);
    try {
      return handle(call);
    } catch (IOException e) {
      return reply(500, "\"" + e.getMessage() + "\"");
    }
  }

  private MockResponse handle(Call c) throws IOException {
    String failure = failures.remove(c.line());
    if (failure != null) {
      int nl = failure.indexOf('\n');
      return reply(Integer.parseInt(failure.substring(0, nl)), failure.substring(nl + 1));
    }
    String p = c.path();
    if (p.equals("/v1/status") || p.equals("/v1/status/writable")) {
      if (notReadyPolls > 0) {
        notReadyPolls--;
        return reply(503, "");
      }
      return reply(p.endsWith("writable") ? writableCode : statusCode, "");
    }
    if (p.equals("/swagger.json")) {
      return reply(200, swagger());
    }
    if (c.authorization() == null && anonymousEnabled) {
      return reply(403, ""); // the anonymous user lacks the permission
    }
    if (!authorized(c.authorization())) {
      return reply(401, "").newBuilder().setHeader("WWW-Authenticate", BASIC_CHALLENGE).build();
    }
    if (p.startsWith("/v1/security/users")) {
      return users(c);
    }
    if (p.startsWith("/v1/security/roles")) {
      return roles(c);
    }
    if (!v1Api) {
      return reply(404, "");
    }
    if (p.startsWith("/v1/blobstores")) {
      return blobStores(c);
    }
    if (p.startsWith("/v1/repositories/docker") && !dockerFormat) {
      return reply(404, "");
    }
    if (p.startsWith("/v1/repositor")) {
      return repositories(c);
    }
    if (p.startsWith("/v1/security/realms")) {
      return realms(c);
    }
    if (p.equals("/v1/security/anonymous")) {
      if (c.method().equals("PUT")) {
        anonymousEnabled = JSON.readTree(c.body()).path("enabled").asBoolean();
        return reply(200, c.body());
      }
      return reply(
          200,
          "{\"enabled\":"
              + anonymousEnabled
              + ",\"userId\":\"anonymous\",\"realmName\":\"NexusAuthorizingRealm\"}");
    }
    return reply(404, "");
  }

  private boolean authorized(String header) {
    String expected =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("admin:" + adminPassword).getBytes(StandardCharsets.UTF_8));
    return expected.equals(header);
  }

  private String swagger() {
    String base = v1Api ? "/v1" : "/beta";
    return "{\"info\":{\"version\":\""
        + version
        + "\"},\"paths\":{"
        + (dockerFormat ? "\"" + base + "/repositories/docker/proxy\":{}," : "")
        + "\"/v1/status\":{}"
        + (v1Api ? ",\"/v1/blobstores\":{}" : "")
        + "}}";
  }

  private MockResponse users(Call c) {
    Matcher change =
        Pattern.compile("/v1/security/users/([^/]+)/change-password").matcher(c.path());
    if (c.method().equals("PUT") && change.matches()) {
      if (c.contentType() == null || !c.contentType().startsWith("text/plain")) {
        return reply(415, "");
      }
      if (!change.group(1).equals("admin")) {
        return message(404, "User '" + change.group(1) + "' not found.");
      }
      if (c.body().isBlank()) {
        return message(400, "Password must be supplied.");
      }
      adminPassword = c.body();
      return reply(204, "");
    }
    if (c.method().equals("GET") && c.path().startsWith("/v1/security/users?userId=")) {
      // a prefix search, as in Nexus
      String prefix = c.path().substring("/v1/security/users?userId=".length());
      ArrayNode list = JSON.createArrayNode();
      users.values().stream()
          .filter(u -> u.path("userId").asText().startsWith(prefix))
          .forEach(list::add);
      return reply(200, pretty(list));
    }
    if (c.method().equals("POST") && c.path().equals("/v1/security/users")) {
      ObjectNode b = (ObjectNode) readJson(c.body());
      String id = b.path("userId").asText();
      if (users.containsKey(id)) {
        return reply(
            500,
            "text/plain;charset=utf-8",
            "ERROR: (ID 0) org.sonatype.nexus.security.user.DuplicateUserException: User "
                + id
                + " already exists.");
      }
      userPasswords.put(id, b.path("password").asText());
      b.remove("password");
      b.put("source", "default").put("readOnly", false);
      b.putArray("externalRoles");
      users.put(id, b);
      return reply(200, pretty(b));
    }
    Matcher user = Pattern.compile("/v1/security/users/([^/?]+)").matcher(c.path());
    if (c.method().equals("PUT") && user.matches()) {
      if (!users.containsKey(user.group(1))) {
        return message(404, "User '" + user.group(1) + "' not found.");
      }
      ObjectNode b = (ObjectNode) readJson(c.body());
      b.putArray("externalRoles");
      users.put(user.group(1), b);
      return reply(204, "");
    }
    return reply(404, "");
  }

  private static ObjectNode user(String id, String first, String last, String email, String role) {
    ObjectNode u = JSON.createObjectNode().put("userId", id).put("firstName", first);
    u.put("lastName", last).put("emailAddress", email).put("source", "default");
    u.put("status", "active").put("readOnly", false);
    u.putArray("roles").add(role);
    u.putArray("externalRoles");
    return u;
  }

  private MockResponse roles(Call c) {
    if (c.method().equals("GET") && c.path().equals("/v1/security/roles")) {
      ArrayNode list = JSON.createArrayNode();
      roles.values().forEach(list::add);
      return reply(200, pretty(list));
    }
    if (c.method().equals("POST") && c.path().equals("/v1/security/roles")) {
      ObjectNode b = (ObjectNode) readJson(c.body());
      String id = b.path("id").asText();
      if (roles.containsKey(id)) {
        return message(400, "Role '" + id + "' already exists, use a unique roleId.");
      }
      b.put("source", "default").put("readOnly", false);
      roles.put(id, b);
      return reply(200, pretty(b));
    }
    Matcher m = Pattern.compile("/v1/security/roles/([^/]+)").matcher(c.path());
    if (m.matches() && roles.containsKey(m.group(1))) {
      if (c.method().equals("GET")) {
        return reply(200, pretty(roles.get(m.group(1))));
      }
      if (c.method().equals("PUT")) {
        ObjectNode b = (ObjectNode) readJson(c.body());
        b.put("source", "default").put("readOnly", false);
        roles.put(m.group(1), b);
        return reply(204, "");
      }
    }
    return m.matches() ? message(404, "Role '" + m.group(1) + "' not found.") : reply(404, "");
  }

  private static JsonNode readJson(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pretty(JsonNode n) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private MockResponse blobStores(Call c) throws IOException {
    String p = c.path();
    if (c.method().equals("GET") && p.equals("/v1/blobstores")) {
      ArrayNode list = JSON.createArrayNode();
      blobStores
          .keySet()
          .forEach(
              n -> list.addObject().put("name", n).put("type", "File").put("unavailable", false));
      return reply(200, list.toString());
    }
    if (c.method().equals("POST") && p.equals("/v1/blobstores/file")) {
      JsonNode b = JSON.readTree(c.body());
      String name = b.path("name").asText();
      if (blobStores.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
        return reply(
            400,
            VALIDATION_TYPE,
            "[{\"id\":\"name\",\"message\":\"Name is already used, must be unique (ignoring case)\"}]");
      }
      blobStores.put(name, b.path("path").asText());
      return reply(204, "");
    }
    Matcher m = Pattern.compile("/v1/blobstores/file/([^/]+)").matcher(p);
    if (m.matches() && c.method().equals("GET")) {
      String path = blobStores.get(m.group(1));
      return path == null
          ? message(404, "Unable to find File '" + m.group(1) + "' blobstore")
          : reply(200, "{\"softQuota\":null,\"path\":\"" + path + "\"}");
    }
    return reply(404, "");
  }

  private MockResponse repositories(Call c) throws IOException {
    String p = c.path();
    if (c.method().equals("GET")
        && (p.equals("/v1/repositories") || p.equals("/v1/repositorySettings"))) {
      ArrayNode list = JSON.createArrayNode();
      for (ObjectNode r : repositories.values()) {
        if (p.endsWith("Settings")) {
          list.add(r.deepCopy());
        } else {
          list.addObject()
              .put("name", r.get("name").asText())
              .put("format", r.get("format").asText())
              .put("type", r.get("type").asText())
              .put("url", r.get("url").asText());
        }
      }
      return reply(200, list.toString());
    }
    Matcher create = Pattern.compile("/v1/repositories/docker/(proxy|hosted|group)").matcher(p);
    if (create.matches() && c.method().equals("POST")) {
      ObjectNode b = (ObjectNode) JSON.readTree(c.body());
      String name = b.path("name").asText();
      if (repositories.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(name))) {
        return message(400, "Repository with name '" + name + "' already exists");
      }
      String invalid = validate(b, create.group(1));
      if (invalid != null) {
        return reply(400, VALIDATION_TYPE, invalid);
      }
      store(b, create.group(1));
      return reply(201, "");
    }
    Matcher item =
        Pattern.compile("/v1/repositories/docker/(proxy|hosted|group)/([^/]+)").matcher(p);
    if (item.matches()) {
      ObjectNode r = repositories.get(item.group(2));
      // typed GET/PUT filter on format and type: another type is "not found"
      if (r == null || !r.get("type").asText().equals(item.group(1))) {
        return message(404, "Repository not found");
      }
      if (c.method().equals("GET")) {
        return reply(200, r.toString());
      }
      if (c.method().equals("PUT")) {
        ObjectNode b = (ObjectNode) JSON.readTree(c.body());
        if (!b.path("name").asText().equals(item.group(2))) {
          return message(400, "Renaming a repository is not supported");
        }
        if (!b.path("storage")
            .path("blobStoreName")
            .equals(r.path("storage").path("blobStoreName"))) {
          return message(400, "You cannot change a repository's blob store through the API");
        }
        String invalid = validate(b, item.group(1));
        if (invalid != null) {
          return reply(400, VALIDATION_TYPE, invalid);
        }
        store(b, item.group(1)); // update replaces all attributes
        return reply(204, "");
      }
    }
    return reply(404, "");
  }

  private String validate(ObjectNode b, String type) {
    String store = b.path("storage").path("blobStoreName").asText();
    if (!blobStores.containsKey(store)) {
      return "[{\"id\":\"*\",\"message\":\"Blob store " + store + " does not exist\"}]";
    }
    if (type.equals("group")) {
      for (JsonNode m : b.path("group").path("memberNames")) {
        ObjectNode member = repositories.get(m.asText());
        if (member == null) {
          return "[{\"id\":\"*\",\"message\":\"Member repository does not exist: "
              + m.asText()
              + "\"}]";
        }
      }
    }
    return null;
  }

  /** Stores a repository as GET returns it: the request plus format, type, url and nulls. */
  void store(ObjectNode b, String type) {
    ObjectNode r = b.deepCopy();
    String name = r.path("name").asText();
    r.put("format", "docker").put("type", type).put("url", url() + "/repository/" + name);
    if (!r.has("cleanup")) {
      r.putNull("cleanup");
    }
    if (type.equals("proxy")) {
      r.putNull("routingRuleName");
      r.remove("routingRule");
      ObjectNode hc = (ObjectNode) r.path("httpClient");
      if (!hc.has("connection")) {
        hc.putNull("connection");
      }
      if (!hc.has("authentication")) {
        hc.putNull("authentication");
      }
      ObjectNode dp = (ObjectNode) r.path("dockerProxy");
      if (dp.path("indexType").asText().equals("HUB") && !dp.has("indexUrl")) {
        dp.put("indexUrl", "https://index.docker.io/"); // what the 3.18 UI stored for HUB
      }
    }
    if (type.equals("hosted")) {
      ObjectNode s = (ObjectNode) r.path("storage");
      s.put(
          "writePolicy",
          s.path("writePolicy")
              .asText()
              .toLowerCase(Locale.ROOT)); // echoed as sent; lower-case to test the comparison
    }
    repositories.put(name, r);
  }

  private MockResponse realms(Call c) throws IOException {
    String p = c.path();
    if (p.equals("/v1/security/realms/available")) {
      ArrayNode list = JSON.createArrayNode();
      availableRealms.stream()
          .filter(a -> dockerFormat || !a[0].equals("DockerToken"))
          .forEach(a -> list.addObject().put("id", a[0]).put("name", a[1]));
      return reply(200, list.toString());
    }
    if (p.equals("/v1/security/realms/active") && c.method().equals("GET")) {
      ArrayNode list = JSON.createArrayNode();
      activeRealms.forEach(list::add);
      return reply(200, list.toString());
    }
    if (p.equals("/v1/security/realms/active") && c.method().equals("PUT")) {
      List<String> ids = new ArrayList<>();
      JSON.readTree(c.body()).forEach(n -> ids.add(n.asText()));
      List<String> unknown =
          ids.stream()
              .filter(id -> availableRealms.stream().noneMatch(a -> a[0].equals(id)))
              .toList();
      if (!unknown.isEmpty()) {
        // 3.71 renders this one error with toString() as text/plain
        return reply(
            400,
            "text/plain;charset=utf-8",
            "ValidationErrorXO{id='*', message='\"Unknown realmIds: " + unknown + "\"'}");
      }
      activeRealms.clear();
      activeRealms.addAll(ids);
      return reply(204, "");
    }
    return reply(404, "");
  }

  private MockResponse reply(int code, String body) {
    return reply(code, "application/json", body);
  }

  private MockResponse reply(int code, String contentType, String body) {
    MockResponse.Builder b = new MockResponse.Builder().code(code);
    if (sendServerHeader) {
      b.setHeader("Server", "Nexus/" + version + " (OSS)");
    }
    if (!body.isEmpty()) {
      b.setHeader("Content-Type", contentType).body(body);
    }
    return b.build();
  }

  /**
   * A WebApplicationMessageException as Nexus 3.71 sends it: a pretty-printed {@code
   * {"id":"*","message":…}} whose message is itself a JSON string.
   */
  private MockResponse message(int code, String text) {
    try {
      ObjectNode n = JSON.createObjectNode();
      n.put("id", "*").put("message", JSON.writeValueAsString(text));
      return reply(code, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
