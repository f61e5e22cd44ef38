package ai.flovyn.dispatch.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading CPU time from /proc lines, and which processes count as the measured PostgreSQL. */
class ProcStatTest {

  @Test
  void statLineIsSplitAfterACommandNameThatHoldsSpacesAndParentheses() {
    String line =
        "4242 (C2 CompilerThre) S 4200 4242 4242 0 -1 4194560 1000 0 0 0 1234 56 0 0 20 0 30 0"
            + " 100 0 0";

    ProcStat.Stat stat = ProcStat.Stat.parse(line);

    assertEquals("C2 CompilerThre", stat.command());
    assertEquals(4200, stat.parentPid());
    assertEquals(1234 + 56, stat.ticks());
    assertEquals(7, ProcStat.Stat.parse("7 (a (b) c) R 1 0 0 0 0 0 0 0 0 0 3 4 0").ticks());
  }

  @Test
  void withAPostmasterOnlyItAndItsChildrenCount() {
    ProcStat.Stat backend = new ProcStat.Stat("postgres", 500, 10);
    ProcStat.Stat otherCluster = new ProcStat.Stat("postgres", 900, 10);
    ProcStat.Stat postmaster = new ProcStat.Stat("postgres", 1, 10);

    assertTrue(ProcStat.counts(backend, 501, 500));
    assertTrue(ProcStat.counts(postmaster, 500, 500));
    assertFalse(ProcStat.counts(otherCluster, 901, 500));
  }

  @Test
  void withoutAPostmasterEveryProcessNamedPostgresCounts() {
    assertTrue(ProcStat.counts(new ProcStat.Stat("postgres", 900, 1), 901, -1));
    assertFalse(ProcStat.counts(new ProcStat.Stat("pgbench", 900, 1), 902, -1));
  }

  @Test
  void thisJvmHasSpentCpu() {
    double seconds = ProcStat.selfCpuSeconds();

    assertTrue(seconds > 0, "utime + stime of this JVM: " + seconds);
    assertTrue(Double.isNaN(ProcStat.cpuSeconds(-1)));
  }
}
