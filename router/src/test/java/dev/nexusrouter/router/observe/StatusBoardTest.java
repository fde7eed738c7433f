package dev.nexusrouter.router.observe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The route windows: 5 s buckets reused as time moves on, 1 and 5 minute sums. */
class StatusBoardTest {
  @Test
  void countsFallOutOfTheOneAndFiveMinuteWindows() {
    StatusBoard.Window w = new StatusBoard.Window();
    long t = 1_000_000;
    w.add(t, false);
    w.add(t, true);
    w.add(t + 30, false);
    assertEquals(new StatusBoard.RouteCounts("r", 3, 1, 3, 1), w.counts("r", t + 30));
    // 85 s later the first two are outside the last minute but inside five
    assertEquals(new StatusBoard.RouteCounts("r", 1, 0, 3, 1), w.counts("r", t + 85));
    assertEquals(new StatusBoard.RouteCounts("r", 0, 0, 1, 0), w.counts("r", t + 305));
    assertEquals(new StatusBoard.RouteCounts("r", 0, 0, 0, 0), w.counts("r", t + 400));
  }

  @Test
  void aBucketIsResetWhenItsSlotComesRoundAgain() {
    StatusBoard.Window w = new StatusBoard.Window();
    long t = 5_000;
    w.add(t, true);
    long lap = (long) StatusBoard.BUCKETS * StatusBoard.BUCKET_SECONDS;
    w.add(t + lap, false); // same slot, one lap later
    assertEquals(new StatusBoard.RouteCounts("r", 1, 0, 1, 0), w.counts("r", t + lap));
  }
}
