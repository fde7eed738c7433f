package dev.nexusrouter.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HtmlTest {
  @Test
  void escapesEveryMarkupCharacterAndKeepsTheRest() {
    assertEquals(
        "&lt;a href=&quot;x&quot; title=&#39;t&#39;&gt;R&amp;D&lt;/a&gt; é\t",
        Html.escape("<a href=\"x\" title='t'>R&D</a> é\t"));
  }
}
