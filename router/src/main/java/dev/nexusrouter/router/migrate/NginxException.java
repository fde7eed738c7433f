package dev.nexusrouter.router.migrate;

/** A configuration the importer cannot read; the message names the file and line. */
final class NginxException extends Exception {
  private static final long serialVersionUID = 1L;

  NginxException(Directive.Where where, String message) {
    super(Redact.text(where + ": " + message));
  }

  NginxException(String message) {
    super(Redact.text(message));
  }
}
