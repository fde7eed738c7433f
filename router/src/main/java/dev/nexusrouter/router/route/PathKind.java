package dev.nexusrouter.router.route;

/** What a request path addresses in the registry API (distribution spec endpoint table). */
public enum PathKind {
  /** {@code /v2/} — version check / auth ping (end-1). */
  PING,
  /** {@code /v2/token} — the Nexus token realm. */
  TOKEN,
  /** {@code /v2/_catalog}. */
  CATALOG,
  /** {@code /v2/<name>/tags/list} (end-8). */
  TAGS,
  /** {@code /v2/<name>/manifests/<reference>} (end-3, end-7, end-9). */
  MANIFEST,
  /** {@code /v2/<name>/blobs/<digest>} (end-2, end-10). */
  BLOB,
  /** {@code /v2/<name>/blobs/uploads/} — start, mount or monolithic upload (end-4, end-11). */
  UPLOAD_START,
  /** {@code /v2/<name>/blobs/uploads/<id>} — chunk, commit, status, cancel (end-5/6/13/14). */
  UPLOAD_SESSION,
  /** {@code /v2/<name>/referrers/<digest>} (end-12). */
  REFERRERS,
  /** Any other path below {@code /v2/}. */
  OTHER_V2,
  /** {@code /v1/search}. */
  V1_SEARCH,
  /** {@code /v1/_ping}. */
  V1_PING,
  /** Any other path below {@code /v1/}. */
  V1_OTHER,
  /** Not a registry path at all. */
  OTHER,
  /** Encoded slashes, dot segments, empty segments or bad percent-encoding: never forwarded. */
  INVALID;

  /** The lower-case-dashed name used in route files and config ({@code upload-session}). */
  public String wireName() {
    return WireNames.of(this);
  }

  public static PathKind fromWireName(String s) {
    return WireNames.parse(values(), s);
  }
}
