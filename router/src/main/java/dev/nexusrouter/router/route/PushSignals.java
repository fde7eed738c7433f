package dev.nexusrouter.router.route;

/** The state-dependent signals behind {@link Condition#PUSH_CONTEXT} and DIGEST_FALLBACK. */
public interface PushSignals {
  boolean recentPushActivity(String client, String name);

  boolean recentManifestDigestMiss(String client, String name, String digest);

  /** No state at all: only the Accept shape counts. */
  PushSignals NONE =
      new PushSignals() {
        @Override
        public boolean recentPushActivity(String client, String name) {
          return false;
        }

        @Override
        public boolean recentManifestDigestMiss(String client, String name, String digest) {
          return false;
        }
      };
}
