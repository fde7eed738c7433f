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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
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

  /** An Undertow 503 with a failure: the status and message the client gets instead. */
  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of(
            "a read timeout reported as 503 is 504",
            CONNECTED,
            new ReadTimeoutException("x"),
            504,
            "did not answer in time"),
        Arguments.of(
            "a reset after connecting is 502",
            CONNECTED,
            new ClosedChannelException(),
            502,
            "closed the connection"),
        Arguments.of(
            "no connection is 503 unavailable",
            null,
            new ConnectException("refused"),
            503,
            "is unavailable"));
  }

  // the connection stand-in is Closeable: JUnit must not close it after each case
  @ParameterizedTest(name = "{0}", autoCloseArguments = false)
  @MethodSource("failures")
  void aFailureIsClassifiedFromItsCause(
      String name, ClientConnection connection, IOException failure, int status, String message) {
    RegistryError e = RegistryErrors.classify(503, upstream(connection, failure), false);
    assertEquals(status, e.status());
    assertContains(e.message(), message);
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
