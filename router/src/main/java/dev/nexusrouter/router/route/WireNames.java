package dev.nexusrouter.router.route;

import java.util.Locale;

/**
 * The lower-case-dashed names route files and config use for enum constants: {@code UPLOAD_SESSION}
 * is {@code upload-session}.
 */
final class WireNames {
  private WireNames() {}

  static String of(Enum<?> constant) {
    return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The constant of {@code values} with that wire name, or null. */
  static <E extends Enum<E>> E parse(E[] values, String wireName) {
    for (E e : values) {
      if (of(e).equals(wireName)) {
        return e;
      }
    }
    return null;
  }
}
