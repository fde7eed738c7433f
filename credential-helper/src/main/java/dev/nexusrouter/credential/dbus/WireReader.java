package dev.nexusrouter.credential.dbus;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Unmarshals D-Bus values of either byte order from one whole message. Types map to Java as: {@code
 * s o g} String, {@code y} Byte, {@code b} Boolean, {@code n q i u h} Integer or Long, {@code x t}
 * Long, {@code d} Double, {@code ay} byte[], {@code a{..}} Map, other arrays List, structs List,
 * {@code v} {@link Variant}.
 */
final class WireReader {
  private final byte[] bytes;

  /** The specification's limit: 32 levels of arrays plus 32 of structs. */
  private static final int MAX_DEPTH = 64;

  private final boolean bigEndian;
  private int pos;
  private int depth;

  WireReader(byte[] bytes, boolean bigEndian, int pos) {
    this.bytes = bytes;
    this.bigEndian = bigEndian;
    this.pos = pos;
  }

  int position() {
    return pos;
  }

  void align(int n) {
    pos = (pos + n - 1) / n * n;
  }

  private long uint(int size) {
    align(size);
    check(size);
    long v = 0;
    for (int i = 0; i < size; i++) {
      int b = bytes[pos + (bigEndian ? i : size - 1 - i)] & 0xff;
      v = (v << 8) | b;
    }
    pos += size;
    return v;
  }

  private void check(long size) {
    if (size < 0 || size > bytes.length - pos) {
      throw new IllegalArgumentException("truncated D-Bus message");
    }
  }

  /** Reads every complete type of {@code signature} in sequence. */
  List<Object> readAll(String signature) {
    List<Object> values = new ArrayList<>();
    int i = 0;
    while (i < signature.length()) {
      int end = Signatures.end(signature, i);
      values.add(read(signature.substring(i, end)));
      i = end;
    }
    return values;
  }

  /** Reads one value of a single complete type. */
  Object read(String type) {
    if (++depth > MAX_DEPTH) {
      throw new IllegalArgumentException("D-Bus value nested too deeply");
    }
    try {
      return readValue(type);
    } finally {
      depth--;
    }
  }

  private Object readValue(String type) {
    char c = type.charAt(0);
    switch (c) {
      case 'y':
        check(1);
        return bytes[pos++];
      case 'b':
        return uint(4) != 0;
      case 'n':
        return (int) (short) uint(2);
      case 'q':
        return (int) uint(2);
      case 'i':
        return (int) uint(4);
      case 'u':
      case 'h':
        return uint(4);
      case 'x':
      case 't':
        return uint(8);
      case 'd':
        return Double.longBitsToDouble(uint(8));
      case 's':
      case 'o':
        return text(uint(4));
      case 'g':
        check(1);
        return text(bytes[pos++] & 0xff);
      case 'v':
        String signature = (String) read("g");
        return new Variant(signature, read(signature));
      case 'a':
        return readArray(type.substring(1));
      case '(':
        if (type.length() < 3) {
          throw new IllegalArgumentException("empty D-Bus struct");
        }
        align(8);
        return readAll(type.substring(1, type.length() - 1));
      default:
        throw new IllegalArgumentException("unsupported D-Bus type " + type);
    }
  }

  private String text(long length) {
    check(length + 1);
    String s = new String(bytes, pos, (int) length, StandardCharsets.UTF_8);
    pos += (int) length + 1;
    return s;
  }

  private Object readArray(String element) {
    long length = uint(4);
    align(Signatures.alignment(element.charAt(0)));
    check(length);
    int end = pos + (int) length;
    if (element.equals("y")) {
      byte[] out = Arrays.copyOfRange(bytes, pos, end);
      pos = end;
      return out;
    }
    if (element.charAt(0) == '{') {
      int keyEnd = Signatures.end(element, 1);
      String keyType = element.substring(1, keyEnd);
      String valueType = element.substring(keyEnd, element.length() - 1);
      Map<Object, Object> map = new LinkedHashMap<>();
      while (pos < end) {
        align(8);
        Object key = read(keyType);
        map.put(key, read(valueType));
      }
      return map;
    }
    List<Object> list = new ArrayList<>();
    while (pos < end) {
      list.add(read(element));
    }
    return list;
  }
}
