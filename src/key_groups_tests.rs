//! Tests of the grouping ([`super`]), with small integers standing for keys.

use super::*;

#[test]
fn keys_in_first_met_order_with_their_first_item() {
    let groups = KeyGroups::new([7, 3, 7, 7, 9, 3]);
    assert_eq!(groups.keys().collect::<Vec<_>>(), vec![7, 3, 9]);
    assert_eq!(groups.firsts(), &[0, 1, 4]);
    assert_eq!(groups.items(), 6);
}

#[test]
fn each_item_gets_its_groups_verdict_in_item_order() {
    let groups = KeyGroups::new([7, 3, 7, 7, 9, 3]);
    let verdicts = [Some("old"), None, Some("gone")];
    assert_eq!(groups.judged(&verdicts), vec![(0, "old"), (2, "old"), (3, "old"), (4, "gone")]);
}

#[test]
fn a_group_without_a_verdict_gives_nothing() {
    let groups = KeyGroups::new([(1, 2), (1, 3), (1, 2)]);
    assert_eq!(groups.keys().count(), 2);
    assert_eq!(groups.judged(&[Some('a')]), vec![(0, 'a'), (2, 'a')]);
    assert_eq!(groups.judged::<char>(&[]), vec![]);
}

#[test]
fn no_items_no_groups() {
    let groups = KeyGroups::<u8>::new([]);
    assert_eq!((groups.keys().count(), groups.items()), (0, 0));
    assert!(groups.judged(&[Some(1)]).is_empty());
}

#[test]
fn spread_gives_each_item_its_groups_value() {
    let groups = KeyGroups::new([7, 7, 3, 7, 3, 3, 9]);
    assert_eq!(groups.spread(&[1, 2, 3]), Some(vec![1, 1, 2, 1, 2, 2, 3]));
    assert_eq!(groups.spread(&[1, 2]), None);
    assert_eq!(groups.firsts(), &[0, 2, 6]);
}

#[test]
fn many_keys_sharing_slots_keep_their_own_groups() {
    // More distinct keys than slots kept at hand: each still gets its own group.
    let keys: Vec<u32> = (0..5_000).map(|k| (k * 7919) % 1_000).collect();
    let groups = KeyGroups::new(keys.iter().copied());
    assert_eq!(groups.keys().count(), 1_000);
    let per_group: Vec<u32> = groups.keys().collect();
    assert_eq!(groups.spread(&per_group), Some(keys));
}
