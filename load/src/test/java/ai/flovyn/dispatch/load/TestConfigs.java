package ai.flovyn.dispatch.load;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The config files under src/test/resources/configs. */
final class TestConfigs {
  private TestConfigs() {}

  static Path path(String name) {
    URL url = TestConfigs.class.getResource("/configs/" + name);
    if (url == null) {
      throw new IllegalArgumentException("no test config " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  static LoadConfig read(String name) throws LoadConfigException {
    return LoadConfig.read(path(name));
  }
}
