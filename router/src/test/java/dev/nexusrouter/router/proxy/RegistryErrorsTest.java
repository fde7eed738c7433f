package dev.nexusrouter.router.proxy;

import static dev.nexusrouter.router.testing.Texts.assertContains;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.client.ClientConnection;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import org.junit.jupiter.api.Test;
import org.xnio.channels.ReadTimeoutException;
import org.xnio.channels.WriteTimeoutException;

/** Errors classified from what happened (flags and Undertow's failure cause), never from time. */
class RegistryErrorsTest {
  /** A stand-in for "a connection was obtained"; classification never calls it. */
  static final ClientConnection CONNECTED =
      (ClientConnection)
          Proxy.newProxyInstance(
              RegistryErrorsTest.class.getClassLoader(),
              new Class<?>[] {ClientConnection.class},
              (p, m, a) -> {
                throw new UnsupportedOperationException(m.getName());
              });

  static ExchangeTags upstream(ClientConnection connection, IOException failure) {
    ExchangeTags s = new ExchangeTags();
    s.upstream = "group";
    s.connection = connection;
    s.failure = failure;
    return s;
  }

  @Test
  void aReadTimeoutReportedAs503Is504() {
    RegistryError e =
        RegistryErrors.classify(503, upstream(CONNECTED, new ReadTimeoutException("x")), false);
    assertEquals(504, e.status());
    assertTrue(e.message().contains("did not answer in time"), e.message());
  }

  @Test
  void aWriteTimeoutAndAWrappedSocketTimeoutAre504() {
    assertEquals(
        504,
        RegistryErrors.classify(503, upstream(CONNECTED, new WriteTimeoutException("w")), false)
            .status());
    IOException wrapped = new IOException("outer", new SocketTimeoutException("inner"));
    assertEquals(504, RegistryErrors.classify(503, upstream(CONNECTED, wrapped), false).status());
  }

  @Test
  void aResetAfterConnectingIs502() {
    RegistryError e =
        RegistryErrors.classify(503, upstream(CONNECTED, new ClosedChannelException()), false);
    assertEquals(502, e.status());
    assertTrue(e.message().contains("closed the connection"), e.message());
  }

  @Test
  void noConnectionIs503Unavailable() {
    RegistryError e =
        RegistryErrors.classify(503, upstream(null, new ConnectException("refused")), false);
    assertEquals(503, e.status());
    assertTrue(e.message().contains("is unavailable"), e.message());
  }

  @Test
  void aSlowButSuccessfulConnectionIsNotATimeout() {
    // the old rule guessed a timeout from elapsed time; a 500 after a long upload is not one
    ExchangeTags s = upstream(CONNECTED, null);
    s.readTimeoutMillis = 1;
    assertEquals(502, RegistryErrors.classify(500, s, false).status());
  }

  @Test
  void flagsWin() {
    ExchangeTags connect = upstream(null, null);
    connect.connectTimedOut = true;
    assertEquals(504, RegistryErrors.classify(503, connect, false).status());
    ExchangeTags body = upstream(CONNECTED, new ClosedChannelException());
    body.bodyLimitExceeded = true;
    body.maxBodySize = 10;
    assertEquals(413, RegistryErrors.classify(503, body, false).status());
    ExchangeTags response = upstream(CONNECTED, new ClosedChannelException());
    response.responseTimedOut = true;
    assertEquals(504, RegistryErrors.classify(503, response, false).status());
  }

  @Test
  void a503WithoutAnUpstreamIsShuttingDownOnlyWhileDraining() {
    assertTrue(
        RegistryErrors.classify(503, null, true).message().contains("shutting down"), "draining");
    assertFalse(RegistryErrors.classify(503, null, false).message().contains("shutting down"));
  }

  @Test
  void theHtmlPageEscapesWhatItShows() {
    String page =
        RegistryErrors.html(
            RegistryError.of(502, "UNAVAILABLE", "upstream '<ui>' closed").withDetail("a & b"));
    assertContains(
        page, "<title>502 upstream &#39;&lt;ui&gt;&#39; closed</title>", "<p>a &amp; b</p>");
  }

  @Test
  void timedOutLooksThroughCauses() {
    assertTrue(RegistryErrors.timedOut(new IOException(new ReadTimeoutException("r"))));
    assertFalse(RegistryErrors.timedOut(new IOException("Connection reset by peer")));
    assertFalse(RegistryErrors.timedOut(null));
  }
}
