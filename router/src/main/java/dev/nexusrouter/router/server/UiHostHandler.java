package dev.nexusrouter.router.server;

import dev.nexusrouter.common.RegistryError;
import dev.nexusrouter.router.config.VirtualHostConfig;
import dev.nexusrouter.router.observe.ExchangeTags;
import dev.nexusrouter.router.proxy.LocationRewriter;
import dev.nexusrouter.router.proxy.RegistryErrors;
import dev.nexusrouter.router.proxy.Upstream;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.resource.PathResourceManager;
import io.undertow.server.handlers.resource.ResourceHandler;
import io.undertow.util.Methods;

/**
 * The Nexus UI host: {@code /download/} from a local folder (the seed's nginx static folder for the
 * CA certificate), everything else proxied to the UI upstream.
 */
final class UiHostHandler implements HttpHandler {
  private static final String DOWNLOAD = "/download";

  private final VirtualHostConfig host;
  private final Upstream upstream;
  private final LocationRewriter rewriter;
  private final HttpHandler download;

  UiHostHandler(VirtualHostConfig host, Upstream upstream, LocationRewriter rewriter) {
    this.host = host;
    this.upstream = upstream;
    this.rewriter = rewriter;
    this.download =
        host.downloadDir() == null
            ? null
            : new ResourceHandler(new PathResourceManager(host.downloadDir(), 64 * 1024))
                .setDirectoryListingEnabled(false)
                .setWelcomeFiles();
  }

  @Override
  public void handleRequest(HttpServerExchange exchange) throws Exception {
    String path = exchange.getRelativePath();
    ExchangeTags tags = ExchangeTags.of(exchange);
    exchange.putAttachment(RegistryErrors.HTML_FOR_BROWSERS, Boolean.TRUE);
    if (download != null && (path.equals(DOWNLOAD) || path.startsWith(DOWNLOAD + "/"))) {
      tags.route = "download";
      if (!exchange.getRequestMethod().equals(Methods.GET)
          && !exchange.getRequestMethod().equals(Methods.HEAD)) {
        RegistryErrors.send(
            exchange, RegistryError.of(405, "UNSUPPORTED", "downloads are read-only"));
        return;
      }
      exchange.setRelativePath(path.substring(DOWNLOAD.length()));
      download.handleRequest(exchange);
      return;
    }
    tags.route = "ui";
    exchange.addResponseCommitListener(rewriter);
    upstream.forward(exchange, host.maxBodySize());
  }
}
