package dev.nexusrouter.router.route;

/**
 * What routing looks at: the method, the parsed path and the shape of the {@code Accept} header.
 * Nothing here depends on earlier requests, so any replica decides the same way.
 *
 * @param method upper-case HTTP method
 * @param path the parsed path
 * @param acceptTypes concrete (non-wildcard) media types in {@code Accept}, counted up to {@link
 *     AcceptShape#SEVERAL}; only counted for HEAD of a manifest or blob, 0 otherwise
 */
public record RequestFacts(String method, RegistryPath path, int acceptTypes) {}
