package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexusrouter.router.nexus.Layout.Docker;
import dev.nexusrouter.router.nexus.Layout.IndexType;
import dev.nexusrouter.router.nexus.Layout.Proxy;
import dev.nexusrouter.router.nexus.Layout.Repository;
import dev.nexusrouter.router.nexus.Layout.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Request bodies of {@code /v1/repositories/docker/{proxy,hosted,group}} built from the layout
 * (docs/nexus-provisioning.md#repositories), and the comparison with what Nexus returns.
 */
final class RepositoryBodies {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Connector keys the layout owns even when it leaves them out (absent = no connector). */
  private static final List<String> OPTIONAL_PORTS = List.of("docker.httpPort", "docker.httpsPort");

  /** Compared ignoring case: Nexus reads enums case-insensitively and echoes what it was sent. */
  private static final Set<String> CASE_INSENSITIVE =
      Set.of("storage.writePolicy", "dockerProxy.indexType");

  /** URLs compared without a trailing slash. */
  private static final Set<String> URLS = Set.of("proxy.remoteUrl", "dockerProxy.indexUrl");

  /** Returned by GET but rejected or meaningless in a request body. */
  private static final List<String> READ_ONLY = List.of("format", "type", "url");

  static final String BLOB_STORE = "storage.blobStoreName";

  private RepositoryBodies() {}

  /** The full create body, keys in the documented order. */
  static ObjectNode desired(Repository r) {
    ObjectNode body = F.objectNode();
    body.put("name", r.name());
    body.put("online", r.online());
    ObjectNode storage = body.putObject("storage");
    storage.put("blobStoreName", r.blobStore());
    storage.put("strictContentTypeValidation", r.strictContentValidation());
    if (r.type() == Type.HOSTED) {
      storage.put("writePolicy", r.writePolicy().name());
    }
    if (r.type() == Type.PROXY) {
      Proxy p = r.proxy();
      ObjectNode proxy = body.putObject("proxy");
      proxy.put("remoteUrl", p.remoteUrl());
      proxy.put("contentMaxAge", p.contentMaxAge());
      proxy.put("metadataMaxAge", p.metadataMaxAge());
      ObjectNode nc = body.putObject("negativeCache");
      nc.put("enabled", p.negativeCache());
      nc.put("timeToLive", p.negativeCacheTtl());
      ObjectNode hc = body.putObject("httpClient");
      hc.put("blocked", p.blocked());
      hc.put("autoBlock", p.autoBlock());
    }
    if (r.type() == Type.GROUP) {
      ObjectNode group = body.putObject("group");
      r.members().forEach(group.putArray("memberNames")::add);
    }
    body.set("docker", docker(r.docker()));
    if (r.type() == Type.PROXY) {
      ObjectNode dp = body.putObject("dockerProxy");
      dp.put("indexType", r.proxy().indexType().name());
      // indexUrl only for CUSTOM: the old UI stored https://index.docker.io/ for HUB by itself
      if (r.proxy().indexType() == IndexType.CUSTOM) {
        dp.put("indexUrl", r.proxy().indexUrl());
      }
    }
    return body;
  }

  private static ObjectNode docker(Docker d) {
    ObjectNode docker = F.objectNode();
    docker.put("v1Enabled", d.v1Enabled());
    docker.put("forceBasicAuth", d.forceBasicAuth());
    // integers, and absent rather than null/0 for "no connector" (ANS PR #359; Go client omitempty)
    if (d.httpPort() != null) {
      docker.put("httpPort", d.httpPort().intValue());
    }
    if (d.httpsPort() != null) {
      docker.put("httpsPort", d.httpsPort().intValue());
    }
    if (d.pathEnabled()) {
      docker.put("pathEnabled", true); // 3.83+ only: never sent to older servers unless asked
    }
    return docker;
  }

  /** Every setting the layout owns that differs on the server, blob store included. */
  static List<Plan.Change> diff(ObjectNode desired, JsonNode current) {
    List<Plan.Change> out = new ArrayList<>();
    List<String> paths = new ArrayList<>();
    leaves(desired, "", paths);
    for (String p : OPTIONAL_PORTS) {
      if (!paths.contains(p)) {
        paths.add(p);
      }
    }
    for (String p : paths) {
      if (p.equals("name")) {
        continue;
      }
      JsonNode want = at(desired, p);
      JsonNode have = at(current, p);
      if (!same(p, want, have)) {
        out.add(new Plan.Change(p, text(have), text(want)));
      }
    }
    return out;
  }

  /**
   * The full PUT body: what Nexus has (so settings the layout does not own, such as cleanup
   * policies, survive — PUT replaces all attributes) overlaid with the layout. The blob store stays
   * as it is: Nexus refuses to change it.
   */
  static ObjectNode updateBody(ObjectNode desired, JsonNode current) {
    ObjectNode body = current.isObject() ? ((ObjectNode) current).deepCopy() : F.objectNode();
    READ_ONLY.forEach(body::remove);
    // GET says routingRuleName, requests say routingRule (NEXUS-30973)
    JsonNode rule = body.remove("routingRuleName");
    if (rule != null && !rule.isNull() && !body.has("routingRule")) {
      body.set("routingRule", rule);
    }
    String keepStore = at(current, BLOB_STORE).asText(null);
    overlay(body, desired);
    for (String p : OPTIONAL_PORTS) {
      if (at(desired, p).isMissingNode()) {
        JsonNode docker = body.get("docker");
        if (docker instanceof ObjectNode o) {
          o.remove(p.substring("docker.".length()));
        }
      }
    }
    if (keepStore != null) {
      ((ObjectNode) body.get("storage")).put("blobStoreName", keepStore);
    }
    return body;
  }

  private static void overlay(ObjectNode target, ObjectNode source) {
    Iterator<String> names = source.fieldNames();
    while (names.hasNext()) {
      String k = names.next();
      JsonNode v = source.get(k);
      JsonNode t = target.get(k);
      if (v.isObject() && t instanceof ObjectNode to) {
        overlay(to, (ObjectNode) v);
      } else {
        target.set(k, v.deepCopy());
      }
    }
  }

  private static void leaves(JsonNode node, String prefix, List<String> out) {
    for (var e : node.properties()) {
      String p = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      if (e.getValue().isObject()) {
        leaves(e.getValue(), p, out);
      } else {
        out.add(p);
      }
    }
  }

  static JsonNode at(JsonNode node, String dotted) {
    JsonNode n = node;
    for (String part : dotted.split("\\.")) {
      n = n == null ? null : n.get(part);
    }
    return n == null || n.isNull()
        ? com.fasterxml.jackson.databind.node.MissingNode.getInstance()
        : n;
  }

  private static boolean same(String path, JsonNode want, JsonNode have) {
    if (want.isMissingNode() || have.isMissingNode()) {
      return want.isMissingNode() && have.isMissingNode();
    }
    if (want.isNumber()) {
      return have.isNumber() && want.asLong() == have.asLong();
    }
    if (want.isBoolean()) {
      return have.isBoolean() && want.asBoolean() == have.asBoolean();
    }
    if (want.isTextual() && have.isTextual()) {
      String a = want.asText();
      String b = have.asText();
      if (CASE_INSENSITIVE.contains(path)) {
        return a.toUpperCase(Locale.ROOT).equals(b.toUpperCase(Locale.ROOT));
      }
      if (URLS.contains(path)) {
        return a.replaceAll("/+$", "").equals(b.replaceAll("/+$", ""));
      }
      return a.equals(b);
    }
    // lists (memberNames): order matters, the group answers from the first member that has it
    return want.equals(have);
  }

  private static String text(JsonNode n) {
    return n.isMissingNode() ? "(none)" : n.toString();
  }
}
