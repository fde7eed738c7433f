package dev.nexusrouter.credential.protocol;

import java.util.Optional;

/** The actions of docker-credential-helpers {@code credentials.Serve}, by their wire names. */
public enum Action {
  STORE("store"),
  GET("get"),
  ERASE("erase"),
  LIST("list"),
  VERSION("version");

  private final String wireName;

  Action(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static Optional<Action> fromWireName(String name) {
    for (Action action : values()) {
      if (action.wireName.equals(name)) {
        return Optional.of(action);
      }
    }
    return Optional.empty();
  }
}
