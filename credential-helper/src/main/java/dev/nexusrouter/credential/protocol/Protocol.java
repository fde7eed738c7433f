package dev.nexusrouter.credential.protocol;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The credential-helper protocol of docker-credential-helpers {@code credentials.Serve}: one
 * action, stdin as UTF-8 bytes, the answer or the error text on stdout, exit code 0 or 1. Nothing
 * is ever written to stderr here: docker shows it on every pull and Spring Boot merges it into the
 * answer.
 */
public final class Protocol {

  /** Opens the backend only for actions that need one, so {@code version} loads no D-Bus. */
  @FunctionalInterface
  public interface StoreOpener {
    CredentialStore open() throws StoreException;
  }

  private final StoreOpener opener;
  private final Supplier<String> version;

  /** {@code version} is read only by the version actions (it is a jar resource read). */
  public Protocol(StoreOpener opener, Supplier<String> version) {
    this.opener = opener;
    this.version = version;
  }

  /** Runs one invocation and returns the process exit code. */
  public int run(List<String> args, InputStream in, OutputStream out) throws IOException {
    if (args.size() != 1) {
      return fail(out, ProtocolMessages.USAGE);
    }
    String arg = args.get(0);
    if (arg.equals("--version") || arg.equals("-v")) {
      return ok(out, versionLine());
    }
    if (arg.equals("--help") || arg.equals("-h")) {
      return ok(out, ProtocolMessages.USAGE);
    }
    Optional<Action> action = Action.fromWireName(arg);
    if (action.isEmpty()) {
      return fail(out, ProtocolMessages.HELPER_NAME + ": unknown action: " + arg);
    }
    try {
      return dispatch(action.get(), in, out);
    } catch (StoreException e) {
      return fail(out, e.getMessage());
    }
  }

  private int dispatch(Action action, InputStream in, OutputStream out)
      throws IOException, StoreException {
    switch (action) {
      case VERSION:
        return ok(out, versionLine());
      case STORE:
        return store(readRequest(in), out);
      case GET:
        return get(readKey(in), out);
      case ERASE:
        return erase(readKey(in), out);
      case LIST:
        WireJson.writeMap(out, new TreeMap<>(opener.open().list()));
        return 0;
      default:
        throw new IllegalStateException("unhandled action " + action);
    }
  }

  private int store(byte[] input, OutputStream out) throws IOException, StoreException {
    Credentials credentials;
    try {
      credentials = WireJson.parseCredentials(input);
    } catch (IOException e) {
      return fail(out, e.getMessage());
    }
    // store keeps the key verbatim (Go does too), but a blank key could never be asked for again.
    if (credentials.serverUrl().isBlank()) {
      return fail(out, ProtocolMessages.MISSING_SERVER_URL);
    }
    if (credentials.username().isEmpty()) {
      return fail(out, ProtocolMessages.MISSING_USERNAME);
    }
    opener.open().store(credentials);
    return 0;
  }

  private int get(String key, OutputStream out) throws IOException, StoreException {
    if (key.isEmpty()) {
      return fail(out, ProtocolMessages.MISSING_SERVER_URL);
    }
    CredentialStore store = opener.open();
    Optional<Credentials> found = store.get(key);
    if (found.isEmpty()) {
      for (String alias : equivalentKeys(store, key)) {
        found = store.get(alias);
        if (found.isPresent()) {
          break;
        }
      }
    }
    if (found.isEmpty()) {
      return fail(out, ProtocolMessages.NOT_FOUND);
    }
    // docker pre-fills ServerURL with its query; echoing the query keeps every client happy.
    WireJson.writeCredentials(out, found.get().withServerUrl(key));
    return 0;
  }

  private int erase(String key, OutputStream out) throws IOException, StoreException {
    if (key.isEmpty()) {
      return fail(out, ProtocolMessages.MISSING_SERVER_URL);
    }
    CredentialStore store = opener.open();
    if (!store.erase(key)) {
      // docker logout docker.io must remove the Hub login (docker/cli#7326); a missing key is
      // still success, as secretservice and wincred do (docker-credential-helpers#59).
      for (String alias : equivalentKeys(store, key)) {
        store.erase(alias);
      }
    }
    return 0;
  }

  private static List<String> equivalentKeys(CredentialStore store, String key)
      throws StoreException {
    String canonical = ServerUrls.canonical(key);
    List<String> keys = new ArrayList<>();
    for (Map.Entry<String, String> e : new TreeMap<>(store.list()).entrySet()) {
      if (!e.getKey().equals(key) && ServerUrls.canonical(e.getKey()).equals(canonical)) {
        keys.add(e.getKey());
      }
    }
    return keys;
  }

  /** get/erase send the bare URL without a newline; people type {@code echo url |}, so trim. */
  private static String readKey(InputStream in) throws StoreException {
    return new String(readRequest(in), StandardCharsets.UTF_8).trim();
  }

  private static byte[] readRequest(InputStream in) throws StoreException {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new StoreException(ProtocolMessages.STDIN_UNREADABLE);
    }
  }

  private String versionLine() {
    return ProtocolMessages.HELPER_NAME + " (dev.nexusrouter) " + version.get();
  }

  private static int ok(OutputStream out, String line) throws IOException {
    writeLine(out, line);
    return 0;
  }

  private static int fail(OutputStream out, String line) throws IOException {
    writeLine(out, line);
    return 1;
  }

  private static void writeLine(OutputStream out, String line) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    buf.write(line.getBytes(StandardCharsets.UTF_8));
    buf.write('\n');
    buf.writeTo(out);
  }
}
