package dev.nexusrouter.router.flows;

import dev.nexusrouter.router.testing.Flow;
import dev.nexusrouter.router.testing.RawRequest;
import dev.nexusrouter.router.testing.Responder;

/**
 * One row of a flow table: the request a client sends, where it must arrive, what the fake answers,
 * and the status the client must see.
 */
record Step(Flow.Up to, RawRequest request, Responder reply, int status) {
  Flow.Result run(Flow flow) {
    return flow.step(to, request, reply).status(status);
  }
}
