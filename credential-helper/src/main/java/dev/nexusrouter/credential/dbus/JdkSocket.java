package dev.nexusrouter.credential.dbus;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** The portable transport: a JDK 16+ Unix-domain {@link SocketChannel}. */
final class JdkSocket implements Transport {
  private final SocketChannel channel;

  private JdkSocket(SocketChannel channel) {
    this.channel = channel;
  }

  static JdkSocket connect(Path socket) throws IOException {
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return new JdkSocket(channel);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    return channel.read(ByteBuffer.wrap(buffer, offset, length));
  }

  @Override
  public void write(byte[] buffer, int offset, int length) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(buffer, offset, length);
    while (b.hasRemaining()) {
      channel.write(b);
    }
  }

  /** Linux names our uid as the owner of /proc/self; elsewhere SASL goes without one. */
  @Override
  public long uid() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
