package dev.nexusrouter.router.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * A small OCI image written as an OCI image layout ({@code oci-layout}, {@code index.json}, {@code
 * blobs/sha256/...}) without any daemon: gzip'd tar layers, a config and a manifest with correct
 * digests and sizes. Deterministic, so the digests are the same on every run.
 */
final class OciImage {
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";

  final Path layout;
  final String manifestDigest;
  final String configDigest;
  final List<String> layerDigests;

  private OciImage(Path layout, String manifest, String config, List<String> layers) {
    this.layout = layout;
    this.manifestDigest = manifest;
    this.configDigest = config;
    this.layerDigests = layers;
  }

  /** All blob digests: layers, config, manifest. */
  List<String> allDigests() {
    List<String> all = new ArrayList<>(layerDigests);
    all.add(configDigest);
    all.add(manifestDigest);
    return all;
  }

  static OciImage build(Path layout, String refName, int bigLayerBytes) throws IOException {
    Files.createDirectories(layout.resolve("blobs/sha256"));
    Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    byte[] small = tar("hello.txt", "hello from the nexus-router e2e test\n".getBytes(UTF8));
    byte[] bigContent = new byte[bigLayerBytes];
    PatternBytes.fill(0, bigContent, 0, bigContent.length);
    byte[] big = tar("data.bin", bigContent);
    List<byte[]> tars = List.of(small, big);
    List<String> layerDigests = new ArrayList<>();
    StringBuilder layersJson = new StringBuilder();
    StringBuilder diffIds = new StringBuilder();
    for (byte[] t : tars) {
      byte[] gz = gzip(t);
      String d = write(layout, gz);
      layerDigests.add(d);
      if (layersJson.length() > 0) {
        layersJson.append(',');
        diffIds.append(',');
      }
      layersJson.append(descriptor(LAYER_TYPE, d, gz.length));
      diffIds.append('"').append(digest(t)).append('"');
    }
    byte[] config =
        ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/hello.txt\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
                + diffIds
                + "]}}")
            .getBytes(UTF8);
    String configDigest = write(layout, config);
    byte[] manifest =
        ("{\"schemaVersion\":2,\"mediaType\":\""
                + MANIFEST_TYPE
                + "\",\"config\":"
                + descriptor(CONFIG_TYPE, configDigest, config.length)
                + ",\"layers\":["
                + layersJson
                + "]}")
            .getBytes(UTF8);
    String manifestDigest = write(layout, manifest);
    String index =
        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
            + MANIFEST_TYPE
            + "\",\"digest\":\""
            + manifestDigest
            + "\",\"size\":"
            + manifest.length
            + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\""
            + refName
            + "\"}}]}";
    Files.writeString(layout.resolve("index.json"), index);
    return new OciImage(layout, manifestDigest, configDigest, List.copyOf(layerDigests));
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static String descriptor(String type, String digest, long size) {
    return "{\"mediaType\":\"" + type + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
  }

  private static String write(Path layout, byte[] blob) throws IOException {
    String d = digest(blob);
    Files.write(layout.resolve("blobs/sha256/" + d.substring(7)), blob);
    return d;
  }

  static String digest(byte[] b) {
    return "sha256:" + HexFormat.of().formatHex(PatternBytes.sha256().digest(b));
  }

  private static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    }
    return out.toByteArray();
  }

  /** A ustar archive holding one regular file. */
  static byte[] tar(String name, byte[] content) {
    byte[] h = new byte[512];
    put(h, 0, name);
    put(h, 100, "0000644");
    put(h, 108, "0000000");
    put(h, 116, "0000000");
    put(h, 124, String.format("%011o", content.length));
    put(h, 136, String.format("%011o", 1_700_000_000L));
    h[156] = '0';
    put(h, 257, "ustar");
    put(h, 263, "00");
    put(h, 265, "root");
    put(h, 297, "root");
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    int sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, String.format("%06o", sum));
    h[154] = 0;
    h[155] = ' ';
    int padded = (content.length + 511) / 512 * 512;
    byte[] out = new byte[512 + padded + 1024];
    System.arraycopy(h, 0, out, 0, 512);
    System.arraycopy(content, 0, out, 512, content.length);
    return out;
  }

  private static void put(byte[] h, int at, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, at, b.length);
  }
}
