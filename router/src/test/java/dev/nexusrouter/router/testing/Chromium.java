package dev.nexusrouter.router.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium (the Debian package) driven over the DevTools protocol: started with a fresh
 * profile and a DevTools port chosen by the browser (read back from {@code DevToolsActivePort}),
 * one page target, and the three commands the tests need: navigate, evaluate, screenshot. No
 * WebDriver layer; see https://chromedevtools.github.io/devtools-protocol/.
 */
public final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final Process process;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

  private Chromium(Process process, WebSocket socket) {
    this.process = process;
    this.socket = socket;
  }

  /** Starts chromium (a failure under CI=true when it is missing, a skip elsewhere). */
  public static Chromium start(Path profile, Path log) throws Exception {
    Path binary = RealParts.require("chromium");
    Files.createDirectories(profile);
    List<String> cmd =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--window-size=1280,1100",
                "--user-data-dir=" + profile,
                "about:blank"));
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      int port = devToolsPort(profile.resolve("DevToolsActivePort"), p, log);
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      String list =
          http.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      String ws = null;
      for (JsonNode t : JSON.readTree(list)) {
        if (t.path("type").asText().equals("page")) {
          ws = t.path("webSocketDebuggerUrl").asText();
          break;
        }
      }
      if (ws == null) {
        throw new IOException("chromium shows no page target: " + list);
      }
      Chromium[] self = new Chromium[1];
      WebSocket socket =
          http.newWebSocketBuilder()
              .connectTimeout(Duration.ofSeconds(10))
              .buildAsync(URI.create(ws), new Listener(self))
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      self[0] = new Chromium(p, socket);
      return self[0];
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private static int devToolsPort(Path file, Process p, Path log) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(file)) {
        List<String> lines = Files.readAllLines(file);
        if (!lines.isEmpty() && lines.get(0).matches("\\d+")) {
          return Integer.parseInt(lines.get(0));
        }
      }
      if (!p.isAlive()) {
        throw new IOException("chromium exited " + p.exitValue() + ": " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    throw new IOException("chromium wrote no DevToolsActivePort within " + WAIT);
  }

  /** Sends one command and waits for its result. */
  public JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", params == null ? JSON.createObjectNode() : params);
    socket.sendText(JSON.writeValueAsString(msg), true).get(WAIT.toSeconds(), TimeUnit.SECONDS);
    JsonNode reply = f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (reply.has("error")) {
      throw new IOException(method + ": " + reply.get("error"));
    }
    return reply.path("result");
  }

  public void navigate(String url) throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.put("url", url);
    call("Page.navigate", p);
  }

  /** Evaluates a JavaScript expression in the page; returns its value as text. */
  public String eval(String expression) throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.put("expression", expression);
    p.put("returnByValue", true);
    JsonNode r = call("Runtime.evaluate", p);
    if (r.has("exceptionDetails")) {
      throw new IOException("page script failed: " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value").asText();
  }

  /** Saves a PNG of the page's viewport. */
  public void screenshot(Path png) throws Exception {
    ObjectNode p = JSON.createObjectNode();
    p.put("format", "png");
    JsonNode r = call("Page.captureScreenshot", p);
    Files.createDirectories(png.toAbsolutePath().getParent());
    Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
  }

  @Override
  public void close() {
    try {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      // the process is stopped below either way
    }
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  /** Collects (possibly fragmented) text frames and completes the waiting command. */
  private static final class Listener implements WebSocket.Listener {
    private final Chromium[] owner;
    private final StringBuilder partial = new StringBuilder();

    Listener(Chromium[] owner) {
      this.owner = owner;
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        try {
          JsonNode msg = JSON.readTree(text);
          if (msg.has("id") && owner[0] != null) {
            CompletableFuture<JsonNode> f = owner[0].pending.remove(msg.get("id").asInt());
            if (f != null) {
              f.complete(msg);
            }
          }
        } catch (IOException e) {
          // not JSON: nothing waits for it
        }
      }
      ws.request(1);
      return null;
    }
  }
}
