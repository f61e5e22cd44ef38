package ai.flovyn.dispatch.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Random protobuf messages of any type, built from its descriptor (so new fields and messages are
 * covered without change), biased towards values that break things: empty, huge, NUL, edge numbers,
 * ids that exist; and malformed encodings of them (cut short, bits flipped, noise).
 */
public final class RandomMessages {
  private static final int MAX_DEPTH = 4;

  private final Random random;
  private final List<String> knownStrings = new ArrayList<>();

  public RandomMessages(Random random) {
    this.random = random;
  }

  /** Adds a string (an existing id, say) that fields pick often, to get past lookups. */
  public void know(String value) {
    knownStrings.add(value);
  }

  /** A random message of the prototype's type. */
  public Message message(Message prototype) {
    return message(prototype.newBuilderForType(), 0);
  }

  /** The bytes of a random message, spoiled in one of several ways. */
  public byte[] malformed(Message prototype) {
    byte[] valid = message(prototype).toByteArray();
    switch (random.nextInt(4)) {
      case 0 -> {
        byte[] noise = new byte[1 + random.nextInt(64)];
        random.nextBytes(noise);
        return noise;
      }
      case 1 -> {
        if (valid.length < 2) {
          return new byte[] {0x0a, 0x05, 0x41};
        }
        byte[] cut = new byte[1 + random.nextInt(valid.length - 1)];
        System.arraycopy(valid, 0, cut, 0, cut.length);
        return cut;
      }
      case 2 -> {
        if (valid.length == 0) {
          return new byte[] {(byte) 0xff};
        }
        byte[] flipped = valid.clone();
        for (int i = 0; i < 1 + random.nextInt(4); i++) {
          flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
        }
        return flipped;
      }
      default -> {
        // a string field holding bytes that are not UTF-8
        byte[] bad = {0x0a, 0x03, (byte) 0xc3, (byte) 0x28, (byte) 0xff};
        byte[] joined = new byte[bad.length + valid.length];
        System.arraycopy(valid, 0, joined, 0, valid.length);
        System.arraycopy(bad, 0, joined, valid.length, bad.length);
        return joined;
      }
    }
  }

  private Message message(Message.Builder builder, int depth) {
    for (FieldDescriptor field : builder.getDescriptorForType().getFields()) {
      if (random.nextInt(3) == 0) {
        continue;
      }
      if (field.isMapField()) {
        for (int i = random.nextInt(3); i > 0; i--) {
          Message.Builder entry = builder.newBuilderForField(field);
          for (FieldDescriptor part : entry.getDescriptorForType().getFields()) {
            Object value = value(entry, part, depth + 1);
            if (value != null) {
              entry.setField(part, value);
            }
          }
          builder.addRepeatedField(field, entry.build());
        }
      } else if (field.isRepeated()) {
        for (int i = random.nextInt(4); i > 0; i--) {
          Object value = value(builder, field, depth + 1);
          if (value != null) {
            builder.addRepeatedField(field, value);
          }
        }
      } else {
        Object value = value(builder, field, depth + 1);
        if (value != null) {
          builder.setField(field, value);
        }
      }
    }
    return builder.buildPartial();
  }

  private Object value(Message.Builder owner, FieldDescriptor field, int depth) {
    return switch (field.getJavaType()) {
      case STRING -> string();
      case BYTE_STRING -> bytes();
      case INT -> (int) integer();
      case LONG -> integer();
      case BOOLEAN -> random.nextBoolean();
      case FLOAT -> (float) floating();
      case DOUBLE -> floating();
      case ENUM -> enumValue(field);
      case MESSAGE -> depth > MAX_DEPTH ? null : message(owner.newBuilderForField(field), depth);
    };
  }

  private EnumValueDescriptor enumValue(FieldDescriptor field) {
    List<EnumValueDescriptor> values = field.getEnumType().getValues();
    if (random.nextInt(5) == 0) {
      // a number the enum does not define
      return field.getEnumType().findValueByNumberCreatingIfUnknown(1000 + random.nextInt(1000));
    }
    return values.get(random.nextInt(values.size()));
  }

  private String string() {
    return switch (random.nextInt(12)) {
      case 0 -> "";
      case 1 -> "x".repeat(256 + random.nextInt(70_000));
      case 2 -> "a\u0000b";
      case 3 -> UUID.randomUUID().toString();
      case 4, 5, 6 ->
          knownStrings.isEmpty() ? "t" : knownStrings.get(random.nextInt(knownStrings.size()));
      case 7 -> "ünïcødé-\ud83d\ude00";
      case 8 -> " ";
      case 9 -> "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      default -> "name-" + random.nextInt(5);
    };
  }

  private ByteString bytes() {
    return switch (random.nextInt(6)) {
      case 0 -> ByteString.EMPTY;
      case 1 -> ByteString.copyFrom("{\"a\":\"\\u0000\"}", StandardCharsets.UTF_8);
      case 2 -> ByteString.copyFrom("1e999999", StandardCharsets.UTF_8);
      case 3 -> ByteString.copyFrom("\"\\ud800\"", StandardCharsets.UTF_8);
      case 4 -> ByteString.copyFrom(new byte[] {(byte) 0xff, 0, (byte) 0xfe});
      default -> {
        byte[] noise = new byte[random.nextInt(128)];
        random.nextBytes(noise);
        yield ByteString.copyFrom(noise);
      }
    };
  }

  private long integer() {
    return switch (random.nextInt(9)) {
      case 0 -> 0;
      case 1 -> -1;
      case 2 -> 1;
      case 3 -> Long.MAX_VALUE;
      case 4 -> Long.MIN_VALUE;
      case 5 -> Integer.MAX_VALUE;
      case 6 -> Integer.MIN_VALUE;
      case 7 -> random.nextInt(100);
      default -> random.nextLong();
    };
  }

  private double floating() {
    return switch (random.nextInt(6)) {
      case 0 -> Double.NaN;
      case 1 -> Double.POSITIVE_INFINITY;
      case 2 -> -0.5;
      case 3 -> 1.5;
      default -> random.nextDouble();
    };
  }
}
