package ai.flovyn.dispatch.server;

import ai.flovyn.dispatch.auth.StaticKeys;
import ai.flovyn.dispatch.auth.Tokens;
import ai.flovyn.dispatch.domain.TokenRole;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The parts of a Flovyn server config file (TOML, {@code CONFIG_FILE}) this server honours, so that
 * a test harness written for Flovyn's server image runs unchanged: {@code [[orgs]]} (each {@code
 * id} is a tenant id, each {@code slug} names it on the HTTP API), {@code [auth] enabled} (as
 * {@code DISPATCH_AUTH}) and the API keys of {@code [auth.static_api_key] keys} (bearer tokens on
 * both ports). Everything else in the file (an org's name and tier, {@code [auth.endpoints]}, other
 * sections) is read past: a Flovyn config may hold more than this server needs. What it does hold
 * is checked, and a wrong value ends startup with one line naming the file and the key.
 *
 * @param keys the organizations' slugs and the API keys
 * @param authEnabled {@code [auth] enabled}, when the file sets it
 */
record FlovynConfigFile(StaticKeys keys, Optional<Boolean> authEnabled) {
  /** Shorter keys are refused: a static key is the only secret between a client and the server. */
  static final int MIN_KEY_LENGTH = 16;

  private static final int MAX_TENANT_LENGTH = 255;
  private static final int MAX_PRINCIPAL_LENGTH = 200;
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final Set<String> ADMIN_ROLES = Set.of("ADMIN", "OWNER");

  /**
   * Reads and checks the file at {@code path}.
   *
   * @param source the variable or flag that named the file, for the error messages
   * @throws ConfigException naming {@code source}, the file and what is wrong with it
   */
  static FlovynConfigFile read(Path path, String source) {
    String where = source + " " + path;
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(where + ": no such file");
    } catch (AccessDeniedException e) {
      throw new ConfigException(where + ": permission denied");
    } catch (CharacterCodingException e) {
      throw new ConfigException(where + ": not UTF-8 text");
    } catch (IOException e) {
      throw new ConfigException(
          where + ": cannot read it (" + DispatchServer.oneLine(e.toString()) + ")");
    }
    return parse(text, where);
  }

  /**
   * Parses and checks a config file's text.
   *
   * @param where the variable and path the text came from, starting each error message
   * @throws ConfigException when the text is not TOML or a value this server reads is wrong
   */
  static FlovynConfigFile parse(String text, String where) {
    JsonNode root;
    try {
      root = new TomlMapper().readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException(where + " is not valid TOML: " + describe(e));
    }
    if (root == null) {
      root = MissingNode.getInstance();
    }
    Reader reader = new Reader(where);
    Map<String, String> tenantBySlug = reader.orgs(root.path("orgs"));
    JsonNode auth = reader.table(root.path("auth"), "auth");
    Optional<Boolean> enabled = reader.optionalBoolean(auth.path("enabled"), "auth.enabled");
    JsonNode staticKeys = reader.table(auth.path("static_api_key"), "auth.static_api_key");
    List<StaticKeys.Key> keys =
        reader.keys(staticKeys.path("keys"), Set.copyOf(tenantBySlug.values()));
    return new FlovynConfigFile(StaticKeys.of(tenantBySlug, keys), enabled);
  }

  private static String describe(JacksonException e) {
    String message = DispatchServer.oneLine(e.getOriginalMessage());
    JsonLocation location = e.getLocation();
    if (location == null || location.getLineNr() < 1) {
      return message;
    }
    return message + " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }

  /** Reads the tree, each wrong value a ConfigException starting with {@code where}. */
  private record Reader(String where) {
    Map<String, String> orgs(JsonNode orgs) {
      Map<String, String> tenantBySlug = new LinkedHashMap<>();
      if (orgs.isMissingNode()) {
        return tenantBySlug;
      }
      if (!orgs.isArray()) {
        throw wrong("orgs", "must be an array of tables ([[orgs]])");
      }
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < orgs.size(); i++) {
        String at = "orgs[" + i + "]";
        JsonNode org = table(orgs.get(i), at);
        String id = tenantId(org.path("id"), at + ".id");
        String slug = string(org.path("slug"), at + ".slug");
        if (!Tokens.isSlug(slug)) {
          throw wrong(
              at + ".slug",
              "must be 1-63 lower-case letters, digits or '-', starting with a letter or digit");
        }
        if (!ids.add(id)) {
          throw wrong(at + ".id", "repeats the id of an earlier org");
        }
        if (tenantBySlug.putIfAbsent(slug, id) != null) {
          throw wrong(at + ".slug", "repeats the slug of an earlier org");
        }
      }
      return tenantBySlug;
    }

    List<StaticKeys.Key> keys(JsonNode keys, Set<String> tenants) {
      List<StaticKeys.Key> result = new ArrayList<>();
      if (keys.isMissingNode()) {
        return result;
      }
      if (!keys.isArray()) {
        throw wrong("auth.static_api_key.keys", "must be an array of inline tables");
      }
      Set<String> texts = new HashSet<>();
      for (int i = 0; i < keys.size(); i++) {
        String at = "auth.static_api_key.keys[" + i + "]";
        JsonNode key = table(keys.get(i), at);
        String text = string(key.path("key"), at + ".key");
        if (text.length() < MIN_KEY_LENGTH || !text.chars().allMatch(c -> c > ' ' && c < 127)) {
          throw wrong(
              at + ".key",
              "must be at least "
                  + MIN_KEY_LENGTH
                  + " printable ASCII characters without spaces (its value is not shown)");
        }
        if (!texts.add(text)) {
          throw wrong(at + ".key", "repeats an earlier key");
        }
        String tenant = tenantId(key.path("org_id"), at + ".org_id");
        if (!tenants.contains(tenant)) {
          throw wrong(at + ".org_id", "names no org of [[orgs]]: '" + tenant + "'");
        }
        TokenRole role = role(key, at);
        String principal =
            key.path("principal_id").isMissingNode()
                ? "key-" + i
                : text(key.path("principal_id"), at + ".principal_id", MAX_PRINCIPAL_LENGTH);
        result.add(new StaticKeys.Key(text, tenant, role, principal));
      }
      return result;
    }

    // Flovyn's principals: a Worker runs workflows and tasks; a User with role ADMIN (or OWNER)
    // administers; any other User gets the worker role, which reaches every API route as well
    private TokenRole role(JsonNode key, String at) {
      String type = string(key.path("principal_type"), at + ".principal_type");
      switch (type.toLowerCase(Locale.ROOT)) {
        case "worker":
          return TokenRole.WORKER;
        case "user":
          JsonNode role = key.path("role");
          return !role.isMissingNode()
                  && ADMIN_ROLES.contains(string(role, at + ".role").toUpperCase(Locale.ROOT))
              ? TokenRole.ADMIN
              : TokenRole.WORKER;
        default:
          throw wrong(at + ".principal_type", "must be User or Worker, got '" + type + "'");
      }
    }

    /** A tenant id as the SDKs send it: a UUID in its canonical lower-case form. */
    private String tenantId(JsonNode node, String at) {
      String id = text(node, at, MAX_TENANT_LENGTH);
      return UUID_TEXT.matcher(id).matches() ? id.toLowerCase(Locale.ROOT) : id;
    }

    private String text(JsonNode node, String at, int maxLength) {
      String value = string(node, at);
      if (value.isBlank() || value.length() > maxLength) {
        throw wrong(at, "must be 1-" + maxLength + " characters");
      }
      if (value.chars().anyMatch(Character::isISOControl)) {
        throw wrong(at, "must not contain control characters");
      }
      return value;
    }

    private String string(JsonNode node, String at) {
      if (node.isMissingNode()) {
        throw wrong(at, "is missing");
      }
      if (!node.isTextual()) {
        throw wrong(at, "must be a string");
      }
      return node.textValue();
    }

    JsonNode table(JsonNode node, String at) {
      if (!node.isMissingNode() && !node.isObject()) {
        throw wrong(at, "must be a table");
      }
      return node;
    }

    Optional<Boolean> optionalBoolean(JsonNode node, String at) {
      if (node.isMissingNode()) {
        return Optional.empty();
      }
      if (!node.isBoolean()) {
        throw wrong(at, "must be true or false");
      }
      return Optional.of(node.booleanValue());
    }

    private ConfigException wrong(String key, String what) {
      return new ConfigException(where + ": " + key + " " + what);
    }
  }
}
