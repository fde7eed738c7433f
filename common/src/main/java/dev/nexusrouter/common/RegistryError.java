package dev.nexusrouter.common;

import java.util.Locale;

/**
 * The error envelope of the distribution spec ({@code {"errors":[{"code","message","detail"}]}})
 * for errors the router authors itself. Clients choke on HTML error bodies (go-gitea/gitea#24042),
 * so every status the router produces carries this JSON and the registry API version header.
 */
public record RegistryError(int status, String code, String message, String detail) {

  public static final String API_VERSION_HEADER = "Docker-Distribution-Api-Version";
  public static final String API_VERSION = "registry/2.0";
  public static final String CONTENT_TYPE = "application/json; charset=utf-8";

  public static RegistryError of(int status, String code, String message) {
    return new RegistryError(status, code, message, null);
  }

  public RegistryError withDetail(String newDetail) {
    return new RegistryError(status, code, message, newDetail);
  }

  /** The JSON body; hand-written so the hot error path needs no mapper and no reflection. */
  public String toJson() {
    StringBuilder sb = new StringBuilder(96);
    sb.append("{\"errors\":[{\"code\":");
    quote(sb, code);
    sb.append(",\"message\":");
    quote(sb, message);
    if (detail != null) {
      sb.append(",\"detail\":");
      quote(sb, detail);
    }
    sb.append("}]}");
    return sb.toString();
  }

  private static void quote(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
