// What Metabase and DBeaver ask through pgjdbc: DatabaseMetaData and a prepared query.
// Run as a single source file: java -cp postgresql.jar MetadataProbe.java URL USER PASSWORD
import java.sql.*;
import java.util.Properties;

public class MetadataProbe {
    /** One field per tab: descriptions may hold tabs and newlines. */
    static String esc(String s) {
        return s == null ? "\\N" : s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n");
    }

    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        props.setProperty("password", args[2]);
        props.setProperty("prepareThreshold", "1"); // server-side prepared statements at once
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = c.getMetaData();
            System.out.println("PRODUCT\t" + md.getDatabaseProductName() + "\t" + md.getDatabaseProductVersion());
            try (ResultSet rs = md.getSchemas()) {
                while (rs.next()) System.out.println("SCHEMA\t" + rs.getString("TABLE_SCHEM"));
            }
            try (ResultSet rs = md.getTables(null, "marts", "%", new String[] {"TABLE", "VIEW"})) {
                while (rs.next())
                    System.out.println("TABLE\t" + rs.getString("TABLE_NAME") + "\t" + rs.getString("TABLE_TYPE") + "\t" + esc(rs.getString("REMARKS")));
            }
            try (ResultSet rs = md.getColumns(null, "marts", "fct_car", "%")) {
                while (rs.next())
                    System.out.println("COLUMN\t" + rs.getString("COLUMN_NAME") + "\t" + rs.getString("TYPE_NAME") + "\t" + rs.getInt("DATA_TYPE") + "\t" + esc(rs.getString("REMARKS")));
            }
            try (ResultSet rs = md.getPrimaryKeys(null, "marts", "fct_car")) {
                int n = 0; while (rs.next()) n++;
                System.out.println("PRIMARY_KEYS\t" + n);
            }
            try (ResultSet rs = md.getImportedKeys(null, "marts", "fct_car")) {
                int n = 0; while (rs.next()) n++;
                System.out.println("FOREIGN_KEYS\t" + n);
            }
            try (ResultSet rs = md.getIndexInfo(null, "marts", "fct_car", false, true)) {
                int n = 0; while (rs.next()) n++;
                System.out.println("INDEXES\t" + n);
            }
            String sql = "select window_start, window_end, car from marts.fct_car "
                + "where study_id = ? and event_id = ? and asset_id = ? order by window_start, window_end";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, "hacks_crypto");
                ps.setString(2, "bybit_hack");
                ps.setString(3, "btc");
                for (int run = 0; run < 3; run++) {
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next())
                            System.out.println("CAR" + run + "\t" + rs.getInt(1) + "\t" + rs.getInt(2) + "\t" + rs.getDouble(3));
                    }
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("drop table marts.fct_car");
            } catch (SQLException e) {
                System.out.println("REFUSED\t" + e.getSQLState());
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select count(*) from marts.dim_asset")) {
                rs.next();
                System.out.println("AFTER\t" + rs.getLong(1));
            }
        }
    }
}
