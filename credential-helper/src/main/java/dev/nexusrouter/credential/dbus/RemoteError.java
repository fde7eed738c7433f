package dev.nexusrouter.credential.dbus;

import java.io.IOException;

/**
 * An ERROR reply: the D-Bus error name (e.g. {@code org.freedesktop.DBus.Error.ServiceUnknown}).
 */
public final class RemoteError extends IOException {
  private static final long serialVersionUID = 1L;
  private final String name;

  RemoteError(String name, String message) {
    super(name + (message.isEmpty() ? "" : ": " + message));
    this.name = name;
  }

  public String name() {
    return name;
  }
}
