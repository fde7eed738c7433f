package dev.nexusrouter.router.proxy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.xnio.IoUtils;
import org.xnio.channels.StreamSinkChannel;
import org.xnio.conduits.AbstractStreamSourceConduit;
import org.xnio.conduits.ConduitReadableByteChannel;
import org.xnio.conduits.StreamSourceConduit;

/**
 * A source conduit whose transfers go through its own {@code read} methods, so that a subclass
 * watching the bytes (a framing check, a wake-up rule) sees every one of them; the default
 * transfers would hand them from the conduit below straight to the target.
 */
public abstract class ReadThroughConduit extends AbstractStreamSourceConduit<StreamSourceConduit> {
  protected ReadThroughConduit(StreamSourceConduit next) {
    super(next);
  }

  @Override
  public long transferTo(long position, long count, FileChannel target) throws IOException {
    return target.transferFrom(new ConduitReadableByteChannel(this), position, count);
  }

  @Override
  public long transferTo(long count, ByteBuffer throughBuffer, StreamSinkChannel target)
      throws IOException {
    return IoUtils.transfer(new ConduitReadableByteChannel(this), count, throughBuffer, target);
  }
}
