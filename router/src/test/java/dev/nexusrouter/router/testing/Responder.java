package dev.nexusrouter.router.testing;

/** Computes a fake upstream's answer from the request it saw (e.g. a realm built from Host). */
@FunctionalInterface
public interface Responder {
  Reply reply(RecordedRequest request);
}
