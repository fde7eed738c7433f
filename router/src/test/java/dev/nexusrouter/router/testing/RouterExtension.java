package dev.nexusrouter.router.testing;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a {@link RouterFixture} (router in this JVM on recording group/hosted upstreams) before
 * each test and closes it after, with a {@link Flow} on it:
 *
 * <pre>{@code @RegisterExtension final RouterExtension router = new RouterExtension();}</pre>
 *
 * A fresh router per test keeps what one test's upstreams recorded out of the next test.
 */
public final class RouterExtension implements BeforeEachCallback, AfterEachCallback {
  private RouterFixture fixture;
  private Flow flow;

  @Override
  public void beforeEach(ExtensionContext context) {
    fixture = RouterFixture.start();
    flow = new Flow(fixture);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    RouterFixture f = fixture;
    fixture = null;
    flow = null;
    if (f != null) {
      f.close();
    }
  }

  /** The running router and its upstreams; only inside a test. */
  public RouterFixture fixture() {
    if (fixture == null) {
      throw new IllegalStateException("no router outside a test method");
    }
    return fixture;
  }

  /** Steps through the running router; only inside a test. */
  public Flow flow() {
    if (flow == null) {
      throw new IllegalStateException("no router outside a test method");
    }
    return flow;
  }
}
