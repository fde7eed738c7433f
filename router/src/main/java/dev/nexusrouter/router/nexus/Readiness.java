package dev.nexusrouter.router.nexus;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexusrouter.router.config.Sizes;
import dev.nexusrouter.router.nexus.NexusClient.Response;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Is Nexus up, writable and new enough? {@code /v1/status} and {@code /v1/status/writable} answer
 * without credentials; the version comes from the {@code Server} header or swagger.json. While it
 * starts, Nexus refuses connections (it opens its port only when it is ready, see docs/nexus.md),
 * so a refused connection is retried like a 503.
 */
final class Readiness {
  static final String DOCKER_PROXY_V1 = "/v1/repositories/docker/proxy";
  static final String BLOB_STORES_V1 = "/v1/blobstores";

  /** Pauses between polls; tests pass one that does not sleep. */
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final NexusClient nexus;
  private final Sleeper sleeper;
  private final LongSupplier nanoTime;

  Readiness(NexusClient nexus, Sleeper sleeper, LongSupplier nanoTime) {
    this.nexus = nexus;
    this.sleeper = sleeper;
    this.nanoTime = nanoTime;
  }

  /**
   * Waits up to {@code wait} (polling every 5 s) until Nexus serves reads and writes; returns the
   * {@code Server} header seen, or null.
   */
  String awaitWritable(Duration wait) {
    long deadline = nanoTime.getAsLong() + wait.toNanos();
    while (true) {
      try {
        return checkWritable();
      } catch (NexusException e) {
        if (nanoTime.getAsLong() >= deadline) {
          if (wait.isZero()) {
            throw e;
          }
          throw new NexusException(
              "Nexus was not ready after waiting " + Sizes.format(wait) + ": " + e.getMessage());
        }
      }
      try {
        sleeper.sleep(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new NexusException("interrupted while waiting for Nexus");
      }
    }
  }

  private String checkWritable() {
    Response status = nexus.getAnonymous("/v1/status");
    if (status.status() == 503) {
      throw new NexusException(
          "Nexus at "
              + nexus.baseUrl()
              + " is not ready (503 on /v1/status): it is starting or stopping; retry later or use"
              + " --wait 5m");
    }
    if (status.status() == 404) {
      throw new NexusException(
          "no Nexus status endpoint at "
              + nexus.baseUrl()
              + NexusClient.REST
              + "/v1/status (404): is --url the Nexus base URL, like http://nexus:8081? (Nexus"
              + " older than 3.15 has no such endpoint; provisioning needs "
              + NexusVersion.MINIMUM.text()
              + " or later)");
    }
    nexus.check(status, "read Nexus status", 200);
    Response writable = nexus.getAnonymous("/v1/status/writable");
    if (writable.status() == 503) {
      throw new NexusException(
          "Nexus is up but not writable (503 on /v1/status/writable): the database is frozen"
              + " (read-only mode) or still starting; unfreeze it or retry later");
    }
    nexus.check(writable, "read Nexus write status", 200);
    return status.server() != null ? status.server() : writable.server();
  }

  /** The version from a Server header, or null. */
  static NexusVersion fromHeader(String server) {
    return NexusVersion.parse(server);
  }

  /**
   * What the REST API offers.
   *
   * @param version the version text to show, or "unknown"
   * @param dockerFormat false when this Nexus has the v1 API but no docker format (the docker
   *     plugin is missing, as in the open-source assembly on Maven Central)
   */
  record Api(String version, boolean dockerFormat) {}

  /**
   * Refuses a Nexus without the v1 REST API and finds out whether it has the docker format.
   * Feature-detects with swagger.json (a proxy may strip the Server header); falls back to the
   * header's version when swagger.json is absent.
   */
  Api requireRestApi(String serverHeader) {
    NexusVersion v = fromHeader(serverHeader);
    if (v != null && !v.atLeast(NexusVersion.MINIMUM)) {
      throw new NexusException(NexusVersion.tooOld(v.text()));
    }
    Response swagger = nexus.get("/swagger.json");
    if (swagger.status() == 401) {
      nexus.check(swagger, "read the API description", 200);
    }
    if (swagger.status() != 200) {
      return new Api(v == null ? "unknown" : v.text(), true);
    }
    JsonNode api;
    try {
      api = nexus.json().readTree(swagger.body());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return new Api(v == null ? "unknown" : v.text(), true);
    }
    String described = api.path("info").path("version").asText(null);
    String shown = v != null ? v.text() : described != null ? described : "unknown";
    NexusVersion d = NexusVersion.parse(described);
    JsonNode paths = api.path("paths");
    if (paths.has(DOCKER_PROXY_V1)) {
      return new Api(shown, true);
    }
    if ((d != null && !d.atLeast(NexusVersion.MINIMUM)) || !paths.has(BLOB_STORES_V1)) {
      throw new NexusException(
          NexusVersion.tooOld(shown)
              + " (its API description has no "
              + NexusClient.REST
              + DOCKER_PROXY_V1
              + ")");
    }
    return new Api(shown, false);
  }

  /** What provisioning says when the v1 API is there but the docker format is not. */
  static String noDockerFormat(String version) {
    return "the docker format is not available in this Nexus ("
        + version
        + "): its API has no "
        + NexusClient.REST
        + DOCKER_PROXY_V1
        + ". The docker plugin is part of the Nexus distributions from Sonatype (e.g. the"
        + " sonatype/nexus3 image) but not of the open-source assembly on Maven Central";
  }
}
