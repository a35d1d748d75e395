package dev.agentworkflow.exporter.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonTextTest {
  @Test
  void quotesWhatJsonMustEscapeAndKeepsTheRest() throws Exception {
    String text = "say \"hi\"\\ C:\\tmp\nnext\tline\r\u0001 é ✓";
    String quoted = JsonText.quote(text);
    assertEquals("\"say \\\"hi\\\"\\\\ C:\\\\tmp\\nnext\\tline\\r\\u0001 é ✓\"", quoted);
    assertEquals(text, new ObjectMapper().readValue(quoted, String.class));
  }
}
