package dev.nexusrouter.router.testing;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A {@link RouterFixture} (router in this JVM on recording group/hosted upstreams) with a {@link
 * Flow} on it, for a test class or for each test:
 *
 * <pre>{@code
 * // one router per test
 * @RegisterExtension final RouterExtension router = new RouterExtension();
 * // one router for the whole class; the upstreams forget every request before each test
 * @RegisterExtension static final RouterExtension router = new RouterExtension();
 * }</pre>
 *
 * JUnit calls {@link #beforeAll} only for an extension in a static field, so the field's modifier
 * chooses the life cycle. In the class-wide form each test still starts with upstreams that have
 * recorded nothing, have nothing queued and answer 200 by default; the router itself keeps no
 * routing state between requests, so reusing it changes nothing a flow test asserts.
 */
public final class RouterExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final RouterFixture.Builder builder;
  private boolean classWide;
  private RouterFixture fixture;
  private Flow flow;

  /** The default fixture: both upstreams as port connectors, default routes, no limits. */
  public RouterExtension() {
    this(RouterFixture.builder());
  }

  /** A fixture with these options (path mode, aliases, limits). */
  public RouterExtension(RouterFixture.Builder builder) {
    this.builder = builder;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    classWide = true;
    start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (classWide) {
      fixture.group.reset();
      fixture.hosted.reset();
    } else {
      start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!classWide) {
      stop();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  private void start() {
    fixture = builder.start();
    flow = new Flow(fixture);
  }

  private void stop() {
    RouterFixture f = fixture;
    fixture = null;
    flow = null;
    if (f != null) {
      f.close();
    }
  }

  /** The running router and its upstreams; only while a test runs. */
  public RouterFixture fixture() {
    if (fixture == null) {
      throw new IllegalStateException("no router outside a test");
    }
    return fixture;
  }

  /** Steps through the running router; only while a test runs. */
  public Flow flow() {
    if (flow == null) {
      throw new IllegalStateException("no router outside a test");
    }
    return flow;
  }
}
