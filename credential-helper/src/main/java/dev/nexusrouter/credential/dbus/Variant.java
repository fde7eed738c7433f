package dev.nexusrouter.credential.dbus;

/** A D-Bus variant ({@code v}): a value together with its own type signature. */
public record Variant(String signature, Object value) {}
