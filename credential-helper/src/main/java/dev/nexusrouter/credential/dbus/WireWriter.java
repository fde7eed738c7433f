package dev.nexusrouter.credential.dbus;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Marshals values into the little-endian D-Bus wire format. Offsets are counted from the start of
 * this buffer, which is also where alignment is measured: a message body starts on an 8-byte
 * boundary, so a body marshalled on its own aligns exactly as it will in the message.
 */
final class WireWriter {
  private byte[] bytes = new byte[128];
  private int pos;

  int position() {
    return pos;
  }

  void align(int n) {
    while (pos % n != 0) {
      putByte(0);
    }
  }

  void putByte(int b) {
    if (pos == bytes.length) {
      bytes = Arrays.copyOf(bytes, bytes.length * 2);
    }
    bytes[pos++] = (byte) b;
  }

  void putBytes(byte[] b) {
    for (byte x : b) {
      putByte(x);
    }
  }

  void putUint32(long v) {
    align(4);
    putUint32At(reserve4(), v);
  }

  private int reserve4() {
    int at = pos;
    for (int i = 0; i < 4; i++) {
      putByte(0);
    }
    return at;
  }

  private void putUint32At(int at, long v) {
    bytes[at] = (byte) v;
    bytes[at + 1] = (byte) (v >>> 8);
    bytes[at + 2] = (byte) (v >>> 16);
    bytes[at + 3] = (byte) (v >>> 24);
  }

  /** Writes one value of a single complete type. */
  void write(String type, Object value) {
    char c = type.charAt(0);
    switch (c) {
      case 'y':
        putByte(((Number) value).intValue());
        break;
      case 'b':
        putUint32(Boolean.TRUE.equals(value) ? 1 : 0);
        break;
      case 'u':
      case 'i':
        putUint32(((Number) value).longValue());
        break;
      case 's':
      case 'o':
        byte[] utf8 = ((String) value).getBytes(StandardCharsets.UTF_8);
        putUint32(utf8.length);
        putBytes(utf8);
        putByte(0);
        break;
      case 'g':
        writeSignature((String) value);
        break;
      case 'v':
        Variant variant = (Variant) value;
        writeSignature(variant.signature());
        write(variant.signature(), variant.value());
        break;
      case 'a':
        writeArray(type.substring(1), value);
        break;
      case '(':
        writeStruct(type, (List<?>) value);
        break;
      default:
        throw new IllegalArgumentException("unsupported D-Bus type " + type);
    }
  }

  private void writeSignature(String signature) {
    byte[] ascii = signature.getBytes(StandardCharsets.US_ASCII);
    putByte(ascii.length);
    putBytes(ascii);
    putByte(0);
  }

  private void writeArray(String element, Object value) {
    align(4);
    int lengthAt = reserve4();
    align(Signatures.alignment(element.charAt(0)));
    int start = pos;
    if (element.charAt(0) == '{') {
      int keyEnd = Signatures.end(element, 1);
      String keyType = element.substring(1, keyEnd);
      String valueType = element.substring(keyEnd, element.length() - 1);
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        align(8);
        write(keyType, e.getKey());
        write(valueType, e.getValue());
      }
    } else if (element.equals("y")) {
      putBytes((byte[]) value);
    } else {
      for (Object item : (List<?>) value) {
        write(element, item);
      }
    }
    putUint32At(lengthAt, pos - start);
  }

  private void writeStruct(String type, List<?> fields) {
    align(8);
    int i = 1;
    for (Object field : fields) {
      int end = Signatures.end(type, i);
      write(type.substring(i, end), field);
      i = end;
    }
  }

  byte[] toByteArray() {
    return Arrays.copyOf(bytes, pos);
  }
}
