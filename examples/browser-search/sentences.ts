/**
 * Sentences written for this demo. They are always searchable, and they are the whole
 * corpus when the shared data sets (MODEL2VEC_SHARED_DIR, default ../shared) are absent.
 */
export const DEMO_SENTENCES: readonly string[] = [
  // Cooking
  "Whisk the eggs with a pinch of salt before pouring them into the hot pan.",
  "Let the bread dough rise in a warm place for about an hour.",
  "This tomato soup tastes even better the day after you make it.",
  "Slice the onions thinly and fry them slowly until they caramelise.",
  "Rinse the rice several times until the water runs clear.",
  "A squeeze of lemon brightens almost any fish dish.",
  "The chocolate cake collapsed because the oven was not hot enough.",
  // Travel
  "Our flight to Lisbon was delayed by three hours because of fog.",
  "The night train from Vienna to Venice crosses the Alps before dawn.",
  "Remember to renew your passport at least six months before you travel.",
  "We rented bicycles and rode along the canals of Amsterdam.",
  "The hotel room had a balcony overlooking the harbour.",
  "Pack a light raincoat: the weather in Scotland changes every hour.",
  // Technology and support
  "How do I reset the password of my home Wi-Fi router?",
  "The laptop battery drains quickly when the screen brightness is at maximum.",
  "Restarting the phone fixed the Bluetooth connection problem.",
  "Back up your photos to an external drive before upgrading the operating system.",
  "The printer says it is out of paper even though the tray is full.",
  "Clear the browser cache if the website keeps showing an old version.",
  "The new update adds a dark mode and better keyboard shortcuts.",
  // Sport
  "The goalkeeper saved a penalty in the last minute of the match.",
  "She finished the marathon in under three and a half hours.",
  "The tennis final went to a fifth set that lasted almost two hours.",
  "Our cycling club rides sixty kilometres every Sunday morning.",
  "He injured his knee during basketball practice and will miss the season.",
  // Weather and nature
  "Heavy snow closed the mountain pass for the whole weekend.",
  "A thunderstorm is expected this evening with strong winds and hail.",
  "The autumn leaves turned bright red and orange in the park.",
  "The river flooded the lower fields after a week of rain.",
  "Bees are essential for pollinating fruit trees in spring.",
  // Animals
  "The cat sleeps on the windowsill in the afternoon sun.",
  "Our puppy chewed one of my shoes while we were out.",
  "Dolphins were swimming alongside the ferry for a few minutes.",
  "The owl hunts mice in the barn at night.",
  "Horses need their hooves trimmed every six to eight weeks.",
  // Money and work
  "The central bank raised interest rates by a quarter of a point.",
  "Stock markets fell sharply after the disappointing earnings report.",
  "I set up an automatic transfer to my savings account every month.",
  "The company is hiring software engineers for its new office in Berlin.",
  "Please submit your expense report before the end of the quarter.",
  "The meeting has been moved to Thursday at ten o'clock.",
  // Health
  "Drinking enough water helps prevent headaches on hot days.",
  "The doctor recommended thirty minutes of walking every day.",
  "Wash your hands often to avoid catching a cold.",
  "A good night's sleep improves memory and concentration.",
  "The dentist found a small cavity in one of my back teeth.",
  // Science and space
  "The telescope captured images of a galaxy millions of light years away.",
  "Water boils at a lower temperature at high altitude.",
  "The rover collected rock samples from the surface of Mars.",
  "Vaccines train the immune system to recognise a virus.",
  "Photosynthesis turns sunlight, water and carbon dioxide into sugar.",
  // Culture
  "The orchestra played Beethoven's fifth symphony to a full hall.",
  "Her first novel is a mystery set in a small fishing village.",
  "The museum opened a new exhibition of Japanese woodblock prints.",
  "We watched an old black and white film at the open-air cinema.",
  "The band released a live album recorded during their world tour.",
  // Home
  "The kitchen tap has been dripping all night.",
  "We painted the living room a pale shade of green.",
  "The heating turns on automatically at six in the morning.",
  "Don't forget to water the tomato plants on the balcony.",
  "The neighbours are renovating their house and the drilling starts at eight.",
];
