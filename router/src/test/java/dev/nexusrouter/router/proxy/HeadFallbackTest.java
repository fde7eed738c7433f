package dev.nexusrouter.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexusrouter.router.observe.ExchangeTags;
import io.undertow.Undertow;
import io.undertow.client.ClientCallback;
import io.undertow.client.ClientConnection;
import io.undertow.client.ClientExchange;
import io.undertow.server.DefaultResponseListener;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.proxy.ProxyConnection;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.xnio.channels.StreamSinkChannel;

/**
 * The probe's failure paths, against a fake upstream connection whose request channel fails when
 * the request is ended. Closing the connection then fails the pending response listener too, as
 * Undertow's HTTP client does for every exchange still waiting on a closed connection.
 */
class HeadFallbackTest {

  @Test
  void aFailedRequestWriteAnswersTheClientOnce() throws Exception {
    AtomicReference<HttpServerExchange> seen = new AtomicReference<>();
    CountDownLatch probed = new CountDownLatch(1);
    Undertow server =
        Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setHandler(
                exchange -> {
                  seen.set(exchange);
                  ExchangeTags.of(exchange).upstream = "hosted"; // as Attempt.start sets it
                  HeadFallback.Attempt attempt = new HeadFallback.Attempt(exchange, null, null);
                  exchange.dispatch(
                      SameThreadExecutor.INSTANCE,
                      () -> {
                        try {
                          attempt.completed(
                              exchange, new ProxyConnection(failingConnection(), "/"));
                        } finally {
                          probed.countDown();
                        }
                      });
                })
            .build();
    server.start();
    try {
      int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
      HttpResponse<Void> r =
          HttpClient.newBuilder()
              .connectTimeout(Duration.ofSeconds(5))
              .build()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v2/a/manifests/1"))
                      .method("HEAD", HttpRequest.BodyPublishers.noBody())
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.discarding());
      assertEquals(502, r.statusCode());
      assertTrue(probed.await(10, TimeUnit.SECONDS), "the probe returned");
      // a second resume would run the error handler on an answered exchange; Undertow records
      // what it threw here
      assertNull(seen.get().getAttachment(DefaultResponseListener.EXCEPTION));
    } finally {
      server.stop();
    }
  }

  /**
   * A connection whose request channel throws on {@code shutdownWrites}; {@code close} fails the
   * response listener that is waiting.
   */
  private static ClientConnection failingConnection() {
    AtomicReference<ClientCallback<ClientExchange>> listener = new AtomicReference<>();
    StreamSinkChannel channel =
        fake(
            StreamSinkChannel.class,
            (name, args) -> {
              if (name.equals("shutdownWrites")) {
                throw new IOException("broken pipe");
              }
              return null;
            });
    ClientExchange sent =
        fake(
            ClientExchange.class,
            (name, args) -> {
              switch (name) {
                case "setResponseListener" -> {
                  @SuppressWarnings("unchecked")
                  ClientCallback<ClientExchange> l = (ClientCallback<ClientExchange>) args[0];
                  listener.set(l);
                }
                case "getRequestChannel" -> {
                  return channel;
                }
                default -> {}
              }
              return null;
            });
    return fake(
        ClientConnection.class,
        (name, args) -> {
          switch (name) {
            case "sendRequest" -> {
              @SuppressWarnings("unchecked")
              ClientCallback<ClientExchange> cb = (ClientCallback<ClientExchange>) args[1];
              cb.completed(sent);
            }
            case "close" -> {
              ClientCallback<ClientExchange> l = listener.getAndSet(null);
              if (l != null) {
                l.failed(new IOException("connection closed"));
              }
            }
            case "isOpen" -> {
              return false;
            }
            default -> {}
          }
          return null;
        });
  }

  private interface Calls {
    Object call(String name, Object[] args) throws IOException;
  }

  private static <T> T fake(Class<T> type, Calls calls) {
    return type.cast(
        Proxy.newProxyInstance(
            HeadFallbackTest.class.getClassLoader(),
            new Class<?>[] {type},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "hashCode" -> System.identityHashCode(proxy);
                  case "equals" -> proxy == args[0];
                  default -> type.getSimpleName();
                };
              }
              Object r = calls.call(method.getName(), args == null ? new Object[0] : args);
              if (r == null && method.getReturnType() == boolean.class) {
                return false;
              }
              return r;
            }));
  }
}
