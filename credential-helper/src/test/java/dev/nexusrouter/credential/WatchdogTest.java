package dev.nexusrouter.credential;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WatchdogTest {
  @Test
  void firesOnceTheDeadlineHasPassed() throws InterruptedException {
    CountDownLatch fired = new CountDownLatch(1);
    Watchdog.start(Duration.ofMillis(50), fired::countDown);
    assertTrue(fired.await(5, TimeUnit.SECONDS));
  }

  @Test
  void aCancelledWatchdogStaysQuiet() throws InterruptedException {
    CountDownLatch fired = new CountDownLatch(1);
    Watchdog.start(Duration.ofMillis(200), fired::countDown).cancel();
    assertFalse(fired.await(600, TimeUnit.MILLISECONDS));
  }
}
