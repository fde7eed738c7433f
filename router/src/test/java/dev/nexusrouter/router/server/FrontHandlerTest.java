package dev.nexusrouter.router.server;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.config.ConfigLoader;
import dev.nexusrouter.router.config.RouterConfig;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.observe.Metrics;
import dev.nexusrouter.router.observe.StatusBoard;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.route.RegistryMethods;
import dev.nexusrouter.router.testing.Loopback;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.RawResponse;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The front handler on a real Undertow listener (127.0.0.1, ephemeral port). */
class FrontHandlerTest {
  private final RouterConfig config = ConfigLoader.builtIn();
  private final AtomicReference<Generation> current = new AtomicReference<>();

  /** Read once instead of current: a generation retired between the read and enter. */
  private final AtomicReference<Generation> stale = new AtomicReference<>();

  private Undertow server;
  private int port;

  @BeforeEach
  void start() throws IOException {
    current.set(generation());
    FrontHandler front =
        new FrontHandler(
            () -> {
              Generation g = stale.getAndSet(null);
              return g != null ? g : current.get();
            },
            new Metrics(RegistryMethods.ALL),
            new StatusBoard(Clock.systemUTC(), System::nanoTime),
            new RegistryErrors(() -> false),
            ex -> {
              // what the next handler sees: the exchange pinned to a generation, tags attached
              Generation g = ex.getAttachment(Generation.KEY);
              boolean tagged = ex.getAttachment(ExchangeTags.KEY) != null;
              String text = "next " + (g == current.get()) + " tagged " + tagged;
              // read any body first: answering early would cut the client's upload
              ex.getRequestReceiver()
                  .receiveFullBytes((e, body) -> e.getResponseSender().send(text));
            });
    server =
        Loopback.start(
            Undertow.builder()
                .setServerOption(
                    UndertowOptions.MAX_HEADER_SIZE,
                    FrontHandler.parserHeaderLimit(config.maxHeaderSize())),
            front);
    port = Loopback.port(server);
  }

  @AfterEach
  void stop() {
    server.stop();
    Generation g = current.get();
    if (g != null) {
      g.close();
    }
  }

  private Generation generation() throws IOException {
    return new Generation(
        config,
        Pipeline.build(config, null, new AtomicLong()),
        null,
        List.of(),
        null,
        HostAccessLogs.open(config, Clock.systemUTC()),
        null);
  }

  @Test
  void anOrdinaryRequestReachesTheNextHandlerPinnedToTheCurrentGeneration() {
    RawResponse r = RawRequest.of("GET", "/v2/").send(port);
    assertEquals(200, r.status(), r.toString());
    assertEquals("next true tagged true", r.bodyText());
  }

  @Test
  void aHeadOverMaxHeaderSizeIsRefusedWith431RegistryJson() {
    long limit = config.maxHeaderSize();
    assertTrue(limit > 0, "the built-in configuration sets max-header-size");
    RawResponse r =
        RawRequest.of("GET", "/v2/").header("X-Big", "a".repeat((int) limit)).send(port);
    assertEquals(431, r.status(), r.toString());
    assertContains(r.bodyText(), "\"code\":\"UNSUPPORTED\"", "limit " + limit + " bytes");
  }

  @Test
  void aHeadJustUnderTheLimitPasses() {
    RawResponse r = RawRequest.of("GET", "/v2/").header("X-Small", "a".repeat(100)).send(port);
    assertEquals(200, r.status(), r.toString());
  }

  @Test
  void anyTransferEncodingButOneChunkedIsRefusedWith501() {
    for (String te : List.of("xchunked", "chunked, identity", "chunked;x=1")) {
      RawResponse r =
          RawRequest.of("PUT", "/v2/a/blobs/uploads/1").header("Transfer-Encoding", te).send(port);
      assertEquals(501, r.status(), te + ": " + r);
      assertTrue(r.bodyText().contains("unsupported Transfer-Encoding"), r.bodyText());
    }
    RawResponse chunked =
        RawRequest.of("PUT", "/v2/a/blobs/uploads/1").body("x").chunked(1).send(port);
    assertEquals(200, chunked.status(), chunked.toString());
  }

  @Test
  void aClosedGenerationThatWasReplacedHandsOverToTheNewOne() throws IOException {
    Generation old = current.get();
    Generation fresh = generation();
    current.set(fresh);
    old.close();
    stale.set(old); // the front reads the old one first, as a request racing the swap would
    RawResponse r = RawRequest.of("GET", "/v2/").send(port);
    assertEquals("next true tagged true", r.bodyText());
    assertEquals(null, stale.get(), "the front read the stale generation first");
  }

  @Test
  void aClosedGenerationThatWasNotReplacedAnswers503ShuttingDown() {
    current.get().close();
    RawResponse r = RawRequest.of("GET", "/v2/").send(port);
    assertEquals(503, r.status(), r.toString());
    assertTrue(r.bodyText().contains("nexus-router is shutting down"), r.bodyText());
  }

  @Test
  void parserLimitIsTwiceTheRouterLimitAndAtLeast128KiB() {
    assertEquals(128 << 10, FrontHandler.parserHeaderLimit(1024));
    assertEquals(2 * (100 << 10), FrontHandler.parserHeaderLimit(100 << 10));
    assertEquals(Integer.MAX_VALUE, FrontHandler.parserHeaderLimit(Long.MAX_VALUE / 4));
  }
}
