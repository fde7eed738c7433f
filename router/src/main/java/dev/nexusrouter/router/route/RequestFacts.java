package dev.nexusrouter.router.route;

/**
 * What routing looks at: the method, the parsed path, and the client's push-related signals.
 *
 * @param method upper-case HTTP method
 * @param path the parsed path
 * @param singleConcreteAccept exactly one concrete (non-wildcard) media type in Accept
 * @param client an opaque key for (client IP, credential fingerprint); never a secret itself
 */
public record RequestFacts(
    String method, RegistryPath path, boolean singleConcreteAccept, String client) {}
