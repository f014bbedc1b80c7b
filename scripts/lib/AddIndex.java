import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Demo helper, run with the JDK's single-file launcher (java scripts/lib/AddIndex.java IN OUT COLLECTION INDEX_JSON):
 * writes a copy of manifest IN with one more index on COLLECTION, as a release that adds an index would.
 */
public class AddIndex {
    public static void main(String[] args) throws Exception {
        String json = Files.readString(Path.of(args[0]));
        String index = args[3];
        if (!json.contains(index)) {
            int at = json.indexOf("\"name\": \"" + args[2] + "\"");
            if (at < 0) {
                throw new IllegalArgumentException("no collection " + args[2] + " in " + args[0]);
            }
            int open = json.indexOf('[', json.indexOf("\"indexes\"", at)) + 1;
            json = json.substring(0, open) + index + "," + json.substring(open);
        }
        Files.writeString(Path.of(args[1]), json);
    }
}
