//! Issue 7: an agreement makes its parties partners only in networks of its `in_force` year
//! or later. The shipped blocs link every pair the agreements link (all their parties are MSP
//! and Quad members, and blocs are not dated), so the blocs are removed here to see the
//! agreements alone.

use quadrant_metrics::TradeIndex;
use quadrant_sim::network;

#[test]
fn issue7_agreements_count_only_from_their_in_force_year() {
    let mut ds = quadrant_data::load_embedded().unwrap();
    ds.curated.blocs.clear();
    let trade = TradeIndex::build(&ds);
    // The first material whose 2018 network has the Quad members and China as nodes.
    let m = (0..ds.materials.len() as u16)
        .find(|&m| {
            network::build(&ds, &trade, m, 2018).is_some_and(|n| {
                n.year == 2018
                    && ["IND", "AUS", "JPN", "USA"]
                        .iter()
                        .all(|c| n.node(c).is_some())
            })
        })
        .expect("a material with a 2018 network holding IND, AUS, JPN, USA and CHN");
    let partners = |year: u16, a: &str, b: &str| {
        let net = network::build(&ds, &trade, m, year).unwrap();
        let (i, j) = (net.node(a).unwrap(), net.node(b).unwrap());
        (net.year, net.partner[i][j])
    };
    // India-Australia: ECTA and the investment partnership, both in force in 2022.
    assert_eq!(partners(2018, "IND", "AUS"), (2018, false));
    assert_eq!(partners(2024, "IND", "AUS"), (2024, true));
    // Japan-Australia: JAEPA, in force since 2015.
    assert_eq!(partners(2018, "JPN", "AUS"), (2018, true));
    // A WTO case (US, Japan v. China) never makes partners.
    assert_eq!(partners(2024, "USA", "CHN"), (2024, false));
}
